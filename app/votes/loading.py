"""Face helper shared by the HTML views, the API and the socket handlers."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.votes.models import Poll
from app.votes.services import ensure_visible, get_poll, tick_poll


def load_poll(poll_id: Any, viewer: Any) -> Poll:
    """The poll, after applying its schedule lazily (a due opening or closing is committed first),
    checked visible to `viewer` (drafts are the chair's)."""
    poll = get_poll(db.session, poll_id)
    if tick_poll(db.session, poll):
        db.session.commit()
    ensure_visible(viewer, poll)
    return poll
