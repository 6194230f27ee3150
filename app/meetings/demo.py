"""Demo: the first meeting of the TdN (15 January 2020) and a town meeting with access codes.

The town meeting's codes are fixed and printed by `flask seed-demo`, so a new user can try /join.
They are demo data only: only their keyed hashes are stored, like any other code, but being
published here they must never be used for a real meeting.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import click
import sqlalchemy as sa

from app.audit.services import record
from app.meetings.access_codes import create_access_codes
from app.meetings.models import AccessCode, AgendaItem, Meeting
from app.meetings.services import add_agenda_item, create_meeting

FIRST_MEETING_TITLE = "Primo incontro del Tavolo di Negoziazione"
TOWN_MEETING_TITLE = "Town meeting: identità del territorio"
DEMO_CODES = [f"DEMO-{n:04d}" for n in range(1, 9)]
TOWN_MEETING_AGENDA = [
    ("Benvenuto e regole della giornata", 10),
    ("Identità del territorio: che cosa ci rende comunità", 40),
    ("Classifica delle priorità per il Piano strategico", 30),
    ("Prossimi passi e restituzione", 10),
]


def seed(session: Any, ctx: dict) -> None:
    ctx["first_meeting"] = _first_meeting(session, ctx)
    ctx["town_meeting"] = _town_meeting(session, ctx)
    click.echo(f"Town meeting demo access codes (enter them at /join): {', '.join(DEMO_CODES)}")


def _first_meeting(session: Any, ctx: dict) -> Meeting:
    meeting = session.scalar(sa.select(Meeting).where(Meeting.title == FIRST_MEETING_TITLE))
    if meeting is not None:
        return meeting
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
    return meeting


def _town_meeting(session: Any, ctx: dict) -> Meeting:
    meeting = session.scalar(sa.select(Meeting).where(Meeting.title == TOWN_MEETING_TITLE))
    if meeting is None:
        chair = ctx["users"]["chair"]
        meeting = create_meeting(
            session, chair, title=TOWN_MEETING_TITLE,
            starts_at=dt.datetime(2020, 6, 13, 7, 30, tzinfo=dt.timezone.utc),  # 9:30 in Imola
            place="Imola, sala conferenze del Nuovo Circondario Imolese", speaking_limit=180,
        )
        for title, duration in TOWN_MEETING_AGENDA:
            add_agenda_item(session, chair, meeting, title=title, duration=duration)
    if not session.scalar(sa.select(AccessCode.id).where(AccessCode.meeting_id == meeting.id).limit(1)):
        create_access_codes(session, None, meeting, len(DEMO_CODES), codes=DEMO_CODES, system=True)
    return meeting
