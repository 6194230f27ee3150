"""Group commit of ballots: the ballots that arrive together are written in one transaction.

In a live vote hundreds of ballots arrive within a second. One transaction each means one poll lock,
one roll lookup, one audit-chain append and one commit (an fsync) per ballot, serialized on the
chain's lock. Here the handler that finds nobody writing becomes the writer: it takes every ballot
waiting at that moment (up to `VOTES_BATCH_MAX`), writes them with `cast_ballots` in one transaction
and commits; only then does each waiting handler get its receipt or its refusal and acknowledge.
Nothing is acknowledged before the commit that made it durable.

The writer then hands the role to the owner of the next waiting ballot, so no handler serves the
others for long. If a batch fails as a whole (e.g. a concurrent ballot of the same voter from another
process trips the UNIQUE constraint), it is rolled back and each ballot is retried alone, so one
conflict never costs its neighbours their vote.

Threading primitives only: gevent's monkey patching makes them cooperative in production, and in
threading mode (tests) they are what they say.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.core.errors import DomainError

EXTENSION_KEY = "tavolo_ballot_writer"
log = logging.getLogger(__name__)


@dataclass(eq=False)
class BallotRequest:
    user_id: int
    poll_id: int
    ballot: dict[str, Any]
    #: the voter's language: refusals are worded for them, whoever writes the batch
    locale: str = "it"
    done: threading.Event = field(default_factory=threading.Event)
    #: the receipt, or the DomainError (or unexpected exception) that refused it
    outcome: Any = None
    #: set instead of `outcome` when this request's owner is to write the next batch
    lead: bool = False


class BallotWriter:
    def __init__(self, max_batch: int = 500):
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[BallotRequest] = []
        self._writing = False

    def submit(self, session: Session, user_id: int, poll_id: int, ballot: dict[str, Any]) -> str:
        """Cast a ballot and return its receipt once committed; a refusal is raised as its DomainError.

        The caller's session is rolled back first (it must hold no changes): a handler waiting for
        the writer must hold no transaction (on SQLite each one takes the write lock) and no pooled
        connection. Objects it loaded are expired: read their ids before calling.
        """
        from flask_babel import get_locale

        from app import connection_locale

        # a live ballot's language without asking Flask-Babel (a per-event lookup as costly as the rest of the handler's bookkeeping)
        locale = connection_locale() or str(get_locale() or "it")
        request = BallotRequest(user_id, poll_id, ballot, locale)
        registry = getattr(session, "registry", None)  # a scoped session: only one that exists needs ending
        if registry is None or registry.has():
            session.rollback()
        with self._lock:
            self._pending.append(request)
            lead = not self._writing
            self._writing = True
        while True:
            if not lead:
                request.done.wait()
                request.done.clear()
                lead, request.lead = request.lead, False
            if lead:
                self._write_until_served(session, request)
                lead = False
            if request.outcome is not None:
                break
        if isinstance(request.outcome, BaseException):
            raise request.outcome
        return request.outcome

    def _write_until_served(self, session: Session, own: BallotRequest) -> None:
        """Write batches until our own ballot is written, then pass the writer's role on."""
        from app.extensions import socketio

        try:
            while own.outcome is None:
                socketio.sleep(0)  # let the ballots already on the wire join this batch
                with self._lock:
                    batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                self._write(session, batch)
        finally:
            with self._lock:
                if self._pending:
                    successor = self._pending[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._writing = False

    def _write(self, session: Session, batch: list[BallotRequest]) -> None:
        try:
            try:
                outcomes = write_batch(session, batch)
                session.commit()
            except Exception:
                session.rollback()
                log.info("a batch of %d ballots failed as a whole: each is retried alone", len(batch), exc_info=True)
                outcomes = [write_alone(session, request) for request in batch]
        except BaseException as exc:  # never leave a waiting voter hanging
            outcomes = [exc] * len(batch)
            raise
        finally:
            for request, outcome in zip(batch, outcomes):
                request.outcome = outcome
                if not request.lead:
                    request.done.set()


def _users(session: Session, user_ids: set[int]) -> dict[int, Any]:
    """The batch's voters who may still act: a deactivated account (a revoked code) is missing, and
    its ballot is refused like an anonymous one (live handlers of ballots do not reload the user)."""
    from app.auth.models import User

    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(user_ids), User.active.is_(True)))}


def write_batch(session: Session, batch: list[BallotRequest]) -> list[Any]:
    """Every ballot of the batch in the session's transaction (the caller commits): per poll and
    language, its due schedule applied, then one call of cast_ballots for the voters who may see it. Returns receipts and refusals in the batch's order."""
    from flask_babel import force_locale, gettext as _

    from app.core.errors import NotFound
    from app.votes.models import Poll
    from app.votes.services import cast_ballots, ensure_visible, tick_poll

    users = _users(session, {r.user_id for r in batch})
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, request in enumerate(batch):
        groups[(request.poll_id, request.locale)].append(index)
    outcomes: list[Any] = [None] * len(batch)
    for (poll_id, locale), indexes in groups.items():
        with force_locale(locale):
            poll = session.get(Poll, poll_id)
            if poll is None:
                for index in indexes:
                    outcomes[index] = NotFound(_("Votazione non trovata."), code="poll_not_found")
                continue
            tick_poll(session, poll)  # a scheduled opening or closing that is due happens first
            castable: list[int] = []
            for index in indexes:
                try:
                    ensure_visible(users.get(batch[index].user_id), poll)
                    castable.append(index)
                except DomainError as exc:
                    outcomes[index] = exc
            results = cast_ballots(session, poll, [(users.get(batch[i].user_id), batch[i].ballot) for i in castable])
        for index, result in zip(castable, results):
            outcomes[index] = result
    return outcomes


def write_alone(session: Session, request: BallotRequest) -> Any:
    """One ballot in a transaction of its own: its receipt, or what refused it."""
    try:
        outcome = write_batch(session, [request])[0]
        if isinstance(outcome, DomainError):
            session.rollback()
        else:
            session.commit()
        return outcome
    except Exception as exc:  # a DomainError (e.g. Conflict from the UNIQUE constraint) or a failure
        session.rollback()
        return exc


def ballot_writer(app: Flask | None = None) -> BallotWriter:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    writer = app.extensions.get(EXTENSION_KEY)
    if writer is None:
        writer = app.extensions.setdefault(EXTENSION_KEY, BallotWriter(int(app.config.get("VOTES_BATCH_MAX", 500))))
    return writer
