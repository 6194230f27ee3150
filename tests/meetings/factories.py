"""Factories for meeting tests (plain functions).

Accounts here have no password: hashing one (argon2) costs about a second on a busy machine and
these tests never type it. Pages are opened with a logged-in session, the API and sockets with tokens.
"""
from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa

from tests.factories import make_org

WHEN = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.timezone.utc)


def person(session, role: str = "member", organization=None, name: str | None = None):
    from app.auth.services import create_user

    if role == "member" and organization is None:
        organization = make_org(session, name=f"Organizzazione {os.urandom(3).hex()}")
    email = f"{role}-{os.urandom(4).hex()}@example.test"
    user = create_user(session, None, email=email, name=name or email.split("@")[0], role=role,
                       organization_id=organization.id if organization else None, system=True)
    session.commit()
    return user


def make_chair(session, **kw):
    return person(session, "chair", **kw)


def api_token(session, user) -> str:
    from app.auth.services import issue_token

    token = issue_token(session, user)
    session.commit()
    return token


def log_in(client, user) -> None:
    """A browser session of `user` (Flask-Login's session keys), without the password form."""
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True


def make_meeting(session, chair=None, *, title: str = "Incontro di prova", status: str = "planned",
                 items: tuple[str, ...] = ("Primo punto", "Secondo punto"), speaking_limit: int | None = None):
    from app.meetings.services import add_agenda_item, close_meeting, create_meeting, open_meeting

    chair = chair or make_chair(session)
    meeting = create_meeting(session, chair, title=title, starts_at=WHEN, place="Sala del consiglio",
                             speaking_limit=speaking_limit)
    for title_ in items:
        add_agenda_item(session, chair, meeting, title=title_, duration=10)
    if status in ("open", "closed"):
        open_meeting(session, chair, meeting)
    if status == "closed":
        close_meeting(session, chair, meeting)
    session.commit()
    return meeting


def make_participant(session, meeting, chair=None):
    """A town-meeting participant of `meeting`: (user, plain code)."""
    from app.meetings.access_codes import create_access_codes, redeem_access_code

    chair = chair or make_chair(session)
    [(_row, code)] = create_access_codes(session, chair, meeting, 1)
    user, _access = redeem_access_code(session, code)
    session.commit()
    return user, code


def audit_actions(session) -> list[str]:
    from app.audit.models import AuditEntry

    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


def audit_count(session) -> int:
    from app.audit.models import AuditEntry

    return session.scalar(sa.select(sa.func.count(AuditEntry.seq)))
