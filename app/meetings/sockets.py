"""Live handlers of meetings: join a meeting's room, resync after a reconnection."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_socketio import join_room

from app.audit.services import head_seq
from app.auth.sockets import live_handler
from app.core.errors import InvalidInput
from app.core.permissions import require
from app.core.realtime import meeting_room
from app.extensions import db
from app.meetings.permissions import can_view_meeting
from app.meetings.services import get_meeting, meeting_snapshot


def _meeting_for(user: Any, payload: dict) -> Any:
    meeting_id = payload.get("meeting_id")
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        raise InvalidInput(_("meeting_id deve essere un numero intero."), fields={"meeting_id": ["invalid"]})
    meeting = get_meeting(db.session, meeting_id)
    require(can_view_meeting(user, meeting), user)
    return meeting


@live_handler("join_meeting")
def join_meeting(user: Any, payload: dict) -> dict:
    """Enter the meeting's room; the ack carries the snapshot and the seq it is valid at."""
    meeting = _meeting_for(user, payload)
    seq = head_seq(db.session)
    snapshot = meeting_snapshot(db.session, meeting)
    join_room(meeting_room(meeting.id))
    return {"snapshot": snapshot, "seq": seq}


@live_handler("resync")
def resync(user: Any, payload: dict) -> dict:
    """After a reconnection: a fresh snapshot if anything happened since `since`."""
    meeting = _meeting_for(user, payload)
    since = payload.get("since", 0)
    if not isinstance(since, int) or isinstance(since, bool) or since < 0:
        raise InvalidInput(_("since deve essere un numero intero non negativo."), fields={"since": ["invalid"]})
    seq = head_seq(db.session)
    join_room(meeting_room(meeting.id))
    return {"snapshot": meeting_snapshot(db.session, meeting), "seq": seq, "changed": seq > since}
