"""Live events outbox: events are queued on the database session and emitted only after commit.

A service calls `queue_event(session, room, event, payload)`. Nothing is sent unless the
transaction commits; a rollback drops the queue. Each event carries `seq`: the audit-chain
sequence number of the transaction that produced it (every state change writes an audit entry),
so seq is increasing, durable across restarts and shared by every process.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import socketio
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

NAMESPACE = "/live"
USER_ROOM_PREFIX = "user:"
OUTBOX_KEY = "tavolo_live_outbox"
SEQ_KEY = "tavolo_audit_seq"
#: savepoint → (outbox length, seq) when it began, to undo only what a rolled-back savepoint queued
SAVEPOINTS_KEY = "tavolo_live_savepoints"

log = logging.getLogger(__name__)


@dataclass
class LiveEvent:
    room: str
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def user_room(user_id: int) -> str:
    """Every live connection of a user is in this room: closing it ends them all (see EndingRedisManager)."""
    return f"{USER_ROOM_PREFIX}{user_id}"


def end_local_connections(manager: Any, room: str, namespace: str = NAMESPACE) -> None:
    """Disconnect this process's connections in `room` (a Socket.IO manager only knows its own)."""
    for sid, _eio_sid in list(manager.get_participants(namespace, room)):
        manager.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class RoomIndex:
    """A Socket.IO manager mixin that keeps each connection's rooms, so that a disconnect costs the
    rooms of that connection instead of every room on the server.

    python-socketio's `BaseManager.basic_disconnect` (5.x) scans every room of the namespace to find
    the leaving connection's, and every connection has a room of its own (its sid, and here its
    user's): N phones leaving together (the end of a town meeting, the venue's Wi-Fi dropping) cost
    N x N checks on the core that serves the room, 0.3 s for 1,000 and 1.2 s for 2,000 (py-spy on
    bench/live_vote.py). Everything else is python-socketio's own bookkeeping.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (namespace, sid) -> the rooms that connection is in (None: the namespace's own)
        self.rooms_by_sid: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self.rooms_by_sid.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        rooms = self.rooms_by_sid.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_by_sid[(namespace, sid)]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self.rooms_by_sid.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """BaseManager.basic_disconnect with the connection's rooms read from the index."""
        if namespace not in self.rooms:  # type: ignore[attr-defined]
            return
        for room in list(self.rooms_by_sid.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)  # type: ignore[attr-defined]
        for pending in (self.pending_connect, self.pending_disconnect):  # type: ignore[attr-defined]
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]


class IndexedManager(RoomIndex, socketio.Manager):
    """The single-process manager (no message queue), with rooms indexed per connection."""


class EndingRedisManager(RoomIndex, socketio.RedisManager):
    """The Redis message queue, where closing a user's room also ends that user's connections.

    Logout and a revoked access code must cut the live connections a user holds on any worker, and
    each worker knows only its own. `close_room` already reaches every worker through the queue, so
    on a user room each worker first disconnects its own members of it."""

    def _handle_close_room(self, message: dict[str, Any]) -> None:
        room = message.get("room")
        if isinstance(room, str) and room.startswith(USER_ROOM_PREFIX):
            end_local_connections(self, room, message.get("namespace") or NAMESPACE)
        super()._handle_close_room(message)


def topic_room(kind: str, object_id: int) -> str:
    """Rooms for pages that update live outside a meeting (a proposal, a pact)."""
    return f"{kind}:{object_id}"


def queue_event(session: Session, room: str, name: str, payload: dict[str, Any]) -> None:
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        # Without a transaction object, a rollback before the first write is a no-op that fires no
        # event: the queued event would survive it and be sent with the next, unrelated commit.
        session.begin()
    session.info.setdefault(OUTBOX_KEY, []).append(LiveEvent(room, name, dict(payload)))


def note_audit_seq(session: Session, seq: int) -> None:
    """Called by the audit service: the highest seq written in this transaction."""
    session.info[SEQ_KEY] = max(seq, session.info.get(SEQ_KEY, 0))


def pending_events(session: Session) -> list[LiveEvent]:
    return list(session.info.get(OUTBOX_KEY, []))


def emit_event(room: str, name: str, payload: dict[str, Any], seq: int | None) -> None:
    """Send one event to a room now (through the message queue when one is configured)."""
    from app.extensions import socketio

    body = dict(payload)
    if seq is not None:
        body["seq"] = seq
    try:
        socketio.emit(name, body, to=room, namespace=NAMESPACE)
    except Exception:  # a broken queue must not undo a committed change; clients resync
        log.exception("live event %s to %s not sent", name, room)


def _forget(session: Session) -> tuple[list[LiveEvent], int | None]:
    session.info.pop(SAVEPOINTS_KEY, None)
    return session.info.pop(OUTBOX_KEY, []), session.info.pop(SEQ_KEY, None)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    if transaction.nested:
        marks = session.info.setdefault(SAVEPOINTS_KEY, {})
        marks[transaction] = (len(session.info.get(OUTBOX_KEY, [])), session.info.get(SEQ_KEY))


@event.listens_for(Session, "after_commit")
def _emit_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the enclosing transaction can still roll back
    events, seq = _forget(session)
    for ev in events:
        emit_event(ev.room, ev.name, ev.payload, seq)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    """A rollback drops what it undid: everything, or only what a rolled-back savepoint queued."""
    if previous_transaction.nested:
        mark = session.info.get(SAVEPOINTS_KEY, {}).pop(previous_transaction, None)
        if mark is not None:
            length, seq = mark
            del session.info.get(OUTBOX_KEY, [])[length:]
            if seq is None:
                session.info.pop(SEQ_KEY, None)
            else:
                session.info[SEQ_KEY] = seq
    elif previous_transaction.parent is None:
        _forget(session)
