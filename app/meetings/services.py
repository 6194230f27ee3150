from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.core.db import isoformat
from app.core.errors import NotFound
from app.meetings.models import AgendaItem, Meeting


def get_meeting(session: Session, meeting_id: Any) -> Meeting:
    meeting = session.get(Meeting, meeting_id) if isinstance(meeting_id, int) and not isinstance(meeting_id, bool) else None
    if meeting is None:
        raise NotFound(_("Incontro non trovato."), code="meeting_not_found")
    return meeting


def list_meetings(session: Session) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).order_by(Meeting.starts_at.desc())))


def agenda_item_dict(item: AgendaItem) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "duration": item.duration, "position": item.position, "ref": item.ref}


def meeting_snapshot(session: Session, meeting: Meeting) -> dict[str, Any]:
    """What a client needs to draw the meeting (GET /api/v1/meetings/{id}, join and resync acks)."""
    return {
        "id": meeting.id,
        "title": meeting.title,
        "starts_at": isoformat(meeting.starts_at),
        "place": meeting.place,
        "status": meeting.status,
        "agenda": [agenda_item_dict(item) for item in meeting.items],
        "current_item_id": meeting.current_item_id,
        "polls": [],
        "presence": [],
        "speakers": [],
    }
