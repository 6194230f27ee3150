"""Live handlers of the vote engine on /live: cast a ballot, follow a poll outside a meeting."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_socketio import join_room

from app.audit.services import head_seq
from app.auth.sockets import live_handler
from app.core.errors import InvalidInput
from app.core.realtime import topic_room
from app.core.routing import is_row_id
from app.extensions import db
from app.votes.loading import load_poll
from app.votes.batching import ballot_writer
from app.votes.services import poll_dict


def _poll_id(payload: dict) -> int:
    poll_id = payload.get("poll_id")
    if not is_row_id(poll_id):
        raise InvalidInput(_("poll_id deve essere un numero intero."), fields={"poll_id": ["invalid"]})
    return poll_id


@live_handler("cast_ballot", user_id_only=True)
def cast_ballot_event(user_id: int, payload: dict) -> dict:
    """`{"poll_id", ...ballot}` → `{"ok": true, "receipt"}`, acknowledged only after the commit."""
    ballot = {k: v for k, v in payload.items() if k != "poll_id"}
    poll_id = _poll_id(payload)
    # group commit with the ballots arriving at the same time (the writer loads the poll, applies its
    # schedule and checks it is visible to this voter); returns after the commit
    receipt = ballot_writer().submit(db.session, user_id, poll_id, ballot)
    return {"poll_id": poll_id, "receipt": receipt}


@live_handler("watch_poll")
def watch_poll(user: Any, payload: dict) -> dict:
    """Join the poll's topic room (`poll:{id}`): its poll_opened / tally_updated / poll_closed events.
    The ack carries the poll as GET /api/v1/polls/{id} and the seq it is valid at."""
    poll = load_poll(_poll_id(payload), user)
    seq = head_seq(db.session)
    data = poll_dict(db.session, poll, user)
    join_room(topic_room("poll", poll.id))
    return {"poll": data, "seq": seq}
