"""Extension points other domains register on, so the vote engine imports none of them.

- `register_people_electorate(resolver)`: who may vote in a `people` poll. A resolver is called as
  `resolver(session, poll)` when the poll opens and returns the user ids of the roll, or None when it
  has nothing to say about that poll (e.g. the meetings domain answers only for town-meeting polls).
  The most recently registered resolver is asked first; if every one says None the default applies:
  all active users with the `member` role.
- `register_subject_handler(subject_type, handler, model)`: what a yes/no outcome does to its subject
  (`model`, the subject's table, lets a poll about an object that does not exist be refused at once).
  Called at close as `handler(session, actor, subject_id, passed)` when the poll has that subject and
  a valid outcome (quorum reached), inside the closing transaction; `actor` is None when the poll was
  closed by the scheduler. A handler raising a DomainError does not stop the close: the failure is
  audited (`votes.poll.consequence_failed`) and its writes are rolled back to a savepoint.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

PeopleResolver = Callable[[Any, Any], "Iterable[int] | None"]
SubjectHandler = Callable[[Any, Any, int, bool], None]

_people_resolvers: list[PeopleResolver] = []
_subject_handlers: dict[str, SubjectHandler] = {}
_subject_models: dict[str, Any] = {}


def register_people_electorate(resolver: PeopleResolver) -> PeopleResolver:
    """Add a resolver of `people` rolls (usable as a decorator)."""
    if resolver not in _people_resolvers:
        _people_resolvers.append(resolver)
    return resolver


def unregister_people_electorate(resolver: PeopleResolver) -> None:
    if resolver in _people_resolvers:
        _people_resolvers.remove(resolver)


def register_subject_handler(subject_type: str, handler: SubjectHandler, model: Any = None) -> SubjectHandler:
    """Declare that polls may decide on `subject_type` objects (rows of `model`), and what their outcome does."""
    _subject_handlers[subject_type] = handler
    if model is not None:
        _subject_models[subject_type] = model
    return handler


def unregister_subject_handler(subject_type: str) -> None:
    _subject_handlers.pop(subject_type, None)
    _subject_models.pop(subject_type, None)


def subject_exists(session: Any, subject_type: str, subject_id: int) -> bool:
    """Whether the subject a poll names is there (true when its domain declared no table)."""
    model = _subject_models.get(subject_type)
    return model is None or session.get(model, subject_id) is not None


def subject_handler(subject_type: str) -> SubjectHandler | None:
    return _subject_handlers.get(subject_type)


def subject_types() -> list[str]:
    return sorted(_subject_handlers)


def resolve_people(session: Any, poll: Any, default: Callable[[Any, Any], Iterable[int]]) -> list[int]:
    """User ids of a `people` roll: the first registered resolver with an answer, else `default`."""
    for resolver in reversed(_people_resolvers):
        ids = resolver(session, poll)
        if ids is not None:
            return sorted(set(int(i) for i in ids))
    return sorted(set(default(session, poll)))
