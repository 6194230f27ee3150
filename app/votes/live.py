"""Coalesced running tallies: many ballots, a few `tally_updated` events per second per poll.

A committed ballot only marks its poll dirty (an `after_commit` listener, so a rolled-back ballot
marks nothing). A background task started lazily with `socketio.start_background_task` wakes every
`VOTES_TALLY_QUIET` seconds (default 0.02) and sends the pending tallies when they are due (see
`TallyBroadcaster.due`): while ballots stream in, one event per `VOTES_TALLY_INTERVAL` (default
0.25 s, 4 per second per poll); as soon as they pause for `VOTES_TALLY_QUIET`, the tally at once, so
the room sees the final count a moment after the last ballot rather than up to an interval later;
never two events within half an interval. Each event reads the dirty poll's counts with one
aggregate query and goes to the poll's rooms with `seq` = the audit head. The task stops after a
while without ballots and starts again on the next one. It uses `socketio.sleep` and a lock that
gevent's monkey patching makes cooperative, so it works the same in threading mode (tests) and
gevent mode (production). Tests call `flush()` to emit synchronously.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.realtime import emit_event

DIRTY_KEY = "tavolo_tally_dirty"
EXTENSION_KEY = "tavolo_tally"
#: seconds without ballots before the background task stops (restarted by the next ballot)
IDLE_SECONDS = 10.0

log = logging.getLogger(__name__)


def tally_due(now: float, last_emit: float, last_change: float, interval: float, quiet: float) -> bool:
    """Whether a changed tally goes out at `now`: an interval after the last event (a stream of
    ballots), or once ballots paused for `quiet` seconds and half an interval has passed (the end of
    a burst, or a lone ballot). The transport floor of bench/live_vote.py applies the same rule."""
    since_emit = now - last_emit
    paused = now - last_change >= quiet
    return since_emit >= interval or (paused and since_emit >= interval / 2)


class TallyBroadcaster:
    def __init__(self, app: Flask, interval: float = 0.25, autostart: bool = True, quiet: float = 0.02):
        self.app = app
        self.interval = interval
        self.quiet = quiet
        self.autostart = autostart
        self._dirty: set[int] = set()
        self._lock = threading.Lock()
        self._running = False
        self._last_mark = 0.0
        self._last_emit = float("-inf")

    @property
    def running(self) -> bool:
        return self._running

    def mark_dirty(self, poll_ids: Iterable[int], now: float | None = None) -> None:
        """Note polls whose counts changed (after commit); starts the background task if needed."""
        with self._lock:
            self._dirty.update(poll_ids)
            self._last_mark = time.monotonic() if now is None else now
            start = self.autostart and not self._running
            if start:
                self._running = True
        if start:
            from app.extensions import socketio

            socketio.start_background_task(self._run)

    def pending(self) -> set[int]:
        with self._lock:
            return set(self._dirty)

    def due(self, now: float) -> bool:
        """Whether the pending tallies go out at `now` (see tally_due)."""
        with self._lock:
            return bool(self._dirty) and tally_due(now, self._last_emit, self._last_mark, self.interval, self.quiet)

    def flush(self, now: float | None = None) -> int:
        """Emit one `tally_updated` per dirty poll now; returns how many polls were emitted."""
        with self._lock:
            poll_ids, self._dirty = sorted(self._dirty), set()
            if poll_ids:
                self._last_emit = time.monotonic() if now is None else now
        for poll_id in poll_ids:
            self._emit(poll_id)
        return len(poll_ids)

    def _run(self) -> None:
        from app.extensions import socketio

        while True:
            socketio.sleep(self.quiet)
            try:
                if self.due(time.monotonic()):
                    self.flush()
            except Exception:  # never let one bad cycle kill the task
                log.exception("tally broadcast failed")
            with self._lock:
                if not self._dirty and time.monotonic() - self._last_mark >= IDLE_SECONDS:
                    self._running = False
                    return

    def _emit(self, poll_id: int) -> None:
        from app.audit.services import head_seq
        from app.extensions import db
        from app.votes.services import poll_rooms, tally_snapshot

        with self.app.app_context():
            try:
                snapshot = tally_snapshot(db.session, poll_id)
                if snapshot is None:
                    return
                payload, poll = snapshot
                seq = head_seq(db.session)
                for room in poll_rooms(poll):
                    emit_event(room, "tally_updated", payload, seq)
            except Exception:
                log.exception("tally of poll %s not broadcast", poll_id)
            finally:
                db.session.remove()


def broadcaster(app: Flask | None = None) -> TallyBroadcaster:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    existing = app.extensions.get(EXTENSION_KEY)
    if existing is None:
        existing = TallyBroadcaster(
            app, interval=float(app.config.get("VOTES_TALLY_INTERVAL", 0.25)),
            quiet=float(app.config.get("VOTES_TALLY_QUIET", 0.02)),
            autostart=bool(app.config.get("VOTES_TALLY_AUTOSTART", True)),
        )
        app.extensions[EXTENSION_KEY] = existing
    return existing


def mark_tally_dirty(session: Session, poll_id: int) -> None:
    """Called by cast_ballot: the poll's tally is broadcast once the transaction commits."""
    session.info.setdefault(DIRTY_KEY, set()).add(poll_id)


@event.listens_for(Session, "after_commit")
def _mark_after_commit(session: Session) -> None:
    poll_ids = session.info.pop(DIRTY_KEY, None)
    if poll_ids and has_app_context():
        broadcaster().mark_dirty(poll_ids)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(DIRTY_KEY, None)
