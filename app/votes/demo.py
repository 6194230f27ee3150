"""Demo polls: a named yes/no decided at the first meeting, a secret ranking of the five priority
axes (closed, with Borda, Schulze and instant runoff), and an open choice to vote on right away.
The ballots are fictional and cast through the services, so the audit chain records them."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.votes.models import Poll
from app.votes.services import cast_ballot, close_poll, create_poll, open_poll

RULES_TITLE = "Approvazione del regolamento di funzionamento del Tavolo"
AXES_TITLE = "Classifica degli assi prioritari del Piano strategico"
CAFE_TITLE = "Giorno preferito per i World café"

#: delegate → yes/no ballot on the rules
RULES_BALLOTS = {"cna": "yes", "confartigianato": "yes", "ascom": "yes", "legacoop": "yes", "cgil": "yes",
                 "cisl": "abstain", "volabo": "yes", "unibo": "yes", "medicina": "no"}
#: delegate → ranking of the axes (codes, best first; partial rankings allowed)
AXES_BALLOTS = {
    "cna": ["sviluppo-economico", "connessioni", "sostenibilita", "salute", "valle-santerno"],
    "confartigianato": ["sviluppo-economico", "connessioni", "valle-santerno"],
    "ascom": ["connessioni", "salute", "sviluppo-economico", "sostenibilita", "valle-santerno"],
    "legacoop": ["salute", "sviluppo-economico", "sostenibilita", "connessioni", "valle-santerno"],
    "cgil": ["salute", "sostenibilita", "sviluppo-economico", "connessioni", "valle-santerno"],
    "cisl": ["sviluppo-economico", "salute", "connessioni", "sostenibilita", "valle-santerno"],
    "volabo": ["salute", "sostenibilita", "valle-santerno"],
    "prolococsp": ["valle-santerno", "connessioni", "salute", "sviluppo-economico", "sostenibilita"],
    "unibo": ["sostenibilita", "connessioni", "sviluppo-economico", "salute", "valle-santerno"],
    "santerno": ["valle-santerno", "sostenibilita", "salute", "connessioni", "sviluppo-economico"],
}
CAFE_OPTIONS = ["Sabato mattina", "Martedì sera", "Giovedì pomeriggio"]
CAFE_BALLOTS = {"cna": 0, "ascom": 0, "cgil": 1, "volabo": 0}


def _exists(session: Any, title: str) -> bool:
    return session.scalar(sa.select(Poll.id).where(Poll.title == title)) is not None


def seed(session: Any, ctx: dict) -> None:
    from app.meetings.demo import FIRST_MEETING_TITLE
    from app.meetings.models import Meeting

    users = ctx["users"]
    chair = users["chair"]
    meeting = ctx.get("first_meeting") or session.scalar(sa.select(Meeting).where(Meeting.title == FIRST_MEETING_TITLE))

    if not _exists(session, RULES_TITLE):
        poll = create_poll(
            session, chair, title=RULES_TITLE, kind="yesno", meeting_id=meeting.id if meeting else None,
            description="Il Tavolo approva il proprio regolamento: composizione, convocazioni, decisioni e verbali.",
            majority="simple", quorum=6,
        )
        open_poll(session, chair, poll)
        for key, choice in RULES_BALLOTS.items():
            cast_ballot(session, users[f"delegate:{key}"], poll, {"choice": choice})
        close_poll(session, chair, poll)

    if not _exists(session, AXES_TITLE):
        axes = ctx["axes"]
        order = ["sviluppo-economico", "connessioni", "sostenibilita", "valle-santerno", "salute"]
        poll = create_poll(
            session, chair, title=AXES_TITLE, kind="ranking", secret=True, options=[axes[c].name for c in order],
            description="Ogni organizzazione ordina i cinque assi dal più al meno urgente (voto segreto).",
        )
        open_poll(session, chair, poll)
        option_of = {code: poll.options[i].id for i, code in enumerate(order)}
        for key, ranking in AXES_BALLOTS.items():
            cast_ballot(session, users[f"delegate:{key}"], poll, {"ranking": [option_of[c] for c in ranking]})
        close_poll(session, chair, poll)

    if not _exists(session, CAFE_TITLE):
        poll = create_poll(
            session, chair, title=CAFE_TITLE, kind="choice", options=CAFE_OPTIONS, max_choices=1,
            description="Scegliamo quando organizzare i due World café della fase di apertura.",
        )
        open_poll(session, chair, poll)
        for key, index in CAFE_BALLOTS.items():
            cast_ballot(session, users[f"delegate:{key}"], poll, {"choice": poll.options[index].id})
    session.flush()
