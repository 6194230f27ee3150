"""Factories of the vote-engine tests (plain functions, fast: accounts without passwords)."""
from __future__ import annotations

import os
from typing import Any

from app.auth.services import create_user, issue_token
from app.organizations.services import adhere, create_organization
from app.votes.services import create_poll, open_poll
from tests.factories import bearer


def make_table(session, n: int, *, weights: list[int] | None = None, substitutes: bool = False) -> list[tuple[Any, Any]]:
    """n organizations adhering to the table, each with a delegate (and a substitute): [(org, delegate)]."""
    tag = os.urandom(3).hex()
    table = []
    for i in range(n):
        org = create_organization(session, None, name=f"Organizzazione {tag}-{i:03d}", category="terzo_settore",
                                  weight=(weights[i] if weights else 1), system=True)
        adhere(session, None, org, "", system=True)
        delegate = create_user(session, None, email=f"d{i}-{tag}@example.test", name=f"Delegato {i:03d} {tag}",
                               role="member", organization_id=org.id, system=True)
        if substitutes:
            create_user(session, None, email=f"s{i}-{tag}@example.test", name=f"Sostituto {i:03d} {tag}",
                        role="member", organization_id=org.id, member_kind="substitute", system=True)
        table.append((org, delegate))
    session.commit()
    return table


def make_person(session, role: str = "chair", organization=None):
    tag = os.urandom(4).hex()
    user = create_user(session, None, email=f"{role}-{tag}@example.test", name=f"{role.title()} {tag}", role=role,
                       organization_id=organization.id if organization else None, system=True)
    session.commit()
    return user


def make_poll(session, chair, *, open_it: bool = False, **kw) -> Any:
    kw.setdefault("title", "Approviamo la proposta?")
    kw.setdefault("kind", "yesno")
    if kw["kind"] in ("choice", "ranking"):
        kw.setdefault("options", ["Alfa", "Beta", "Gamma"])
    poll = create_poll(session, chair, **kw)
    session.commit()
    if open_it:
        open_poll(session, chair, poll)
        session.commit()
    return poll


def make_meeting(session, title: str = "Incontro di prova"):
    import datetime as dt

    from app.meetings.models import Meeting

    meeting = Meeting(title=title, starts_at=dt.datetime(2026, 1, 15, 14, 30, tzinfo=dt.timezone.utc), place="Imola")
    session.add(meeting)
    session.commit()
    return meeting


def auth(session, user) -> dict[str, str]:
    """Authorization header for `user` (a fresh API token, no password round trip)."""
    token = issue_token(session, user)
    session.commit()
    return bearer(token)


def audit_actions(session, prefix: str = "votes.") -> list[str]:
    import sqlalchemy as sa

    from app.audit.models import AuditEntry

    return list(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.seq)))


def audit_entries(session, action: str) -> list[Any]:
    import sqlalchemy as sa

    from app.audit.models import AuditEntry

    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))
