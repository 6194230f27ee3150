"""Demo: the first meeting of the TdN (15 January 2020) with its three agenda items."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.meetings.models import AgendaItem, Meeting

FIRST_MEETING_TITLE = "Primo incontro del Tavolo di Negoziazione"


def seed(session: Any, ctx: dict) -> None:
    if session.scalar(sa.select(Meeting.id).where(Meeting.title == FIRST_MEETING_TITLE)):
        return
    meeting = Meeting(
        process_id=ctx["process"].id, title=FIRST_MEETING_TITLE,
        starts_at=dt.datetime(2020, 1, 15, 14, 30, tzinfo=dt.timezone.utc),  # 15:30 in Imola
        place="Imola, sede del Nuovo Circondario Imolese, via Boccaccio 27", status="planned",
    )
    session.add(meeting)
    session.flush()
    for position, (title, duration) in enumerate([
        ("Condivisione del percorso", 30),
        ("Adesione al TdN", 20),
        ("Sostegno alla promozione delle attività", 25),
    ], start=1):
        session.add(AgendaItem(meeting_id=meeting.id, title=title, duration=duration, position=position))
    session.flush()
    record(session, None, "meetings.meeting.created", meeting, {"title": meeting.title, "demo": True})
    ctx["first_meeting"] = meeting
