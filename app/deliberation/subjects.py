"""The registry of deliberated subjects: how the shared machinery finds, authorizes and updates them.

A domain that owns a text (proposals, the pact's clauses) registers a `SubjectKind` in its
`init_app`; revisions, comments and amendments then work on it without importing that domain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.permissions import is_authenticated

#: what a subject may refuse while it is closed: new comments, new amendments, new revisions
Action = Literal["comment", "amend", "revise"]

EXTENSION_KEY = "tavolo_deliberation_subjects"

#: the longest text of a proposal, clause or amendment (a record may allow more: SubjectKind.body_max)
BODY_MAX = 20_000


def _chair_moderates(user: Any, obj: Any) -> bool:
    return is_authenticated(user) and user.is_chair


def _always(obj: Any, action: Action) -> bool:
    return True


@dataclass(frozen=True)
class SubjectKind:
    """How one kind of subject plugs into the shared machinery.

    - `load(session, id)`: the object, or None;
    - `room(obj)`: the live room where its events go (e.g. "proposal:3", or "pact:1" for a clause);
    - `url(obj)`: its HTML page, where forms return;
    - `apply_revision(session, obj, revision)`: make the new revision the object's current text;
    - `can_view(user, obj)`, `can_revise(user, obj)`: who reads it, who edits its text directly;
    - `can_moderate(user, obj)`: who hides comments and decides amendments (the chair by default);
    - `accepts(obj, action)`: whether the object is open to comments / amendments / revisions now;
    - `body_max`: the longest text a revision may hold (records gather a whole meeting or process).
    """

    type: str
    label: Any
    load: Callable[[Session, int], Any]
    room: Callable[[Any], str]
    url: Callable[[Any], str]
    apply_revision: Callable[[Session, Any, Any], None]
    can_view: Callable[[Any, Any], bool]
    can_revise: Callable[[Any, Any], bool]
    can_moderate: Callable[[Any, Any], bool] = _chair_moderates
    accepts: Callable[[Any, Action], bool] = _always
    body_max: int = BODY_MAX


@dataclass(frozen=True)
class Subject:
    """A loaded subject with its kind: what services and permissions receive."""

    kind: SubjectKind
    obj: Any

    @property
    def type(self) -> str:
        return self.kind.type

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def ref(self) -> str:
        """`type:id`, as in the audit log."""
        return f"{self.type}:{self.id}"

    @property
    def room(self) -> str:
        return self.kind.room(self.obj)

    @property
    def url(self) -> str:
        return self.kind.url(self.obj)

    def accepts(self, action: Action) -> bool:
        return self.kind.accepts(self.obj, action)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id}


def register_subject(app: Flask, kind: SubjectKind) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})[kind.type] = kind


def subject_kinds() -> dict[str, SubjectKind]:
    return current_app.extensions.get(EXTENSION_KEY, {})


def subject_kind(subject_type: str) -> SubjectKind:
    kind = subject_kinds().get(subject_type)
    if kind is None:
        raise NotFound(_("Tipo di testo sconosciuto."), code="subject_type_unknown")
    return kind


def subject_for(obj: Any, subject_type: str) -> Subject:
    """Wrap an object the caller already loaded (e.g. a proposal in the proposals domain)."""
    return Subject(subject_kind(subject_type), obj)


def load_subject(session: Session, subject_type: str, subject_id: int) -> Subject:
    kind = subject_kind(subject_type)
    obj = kind.load(session, subject_id)
    if obj is None:
        raise NotFound(_("Testo non trovato."), code="subject_not_found")
    return Subject(kind, obj)
