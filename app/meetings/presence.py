"""Who is in the meeting: self check-in, check-in by the chair, organizations present, quorum.

An organization is present when any of its representatives is. Members, the chair, observers and
town-meeting participants are counted apart; participants are counted, not listed (there may be
hundreds and their names say nothing).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import InvalidInput, NotFound
from app.core.permissions import require
from app.core.realtime import meeting_room, queue_event
from app.meetings.models import AccessCode, Attendance, Meeting
from app.meetings.permissions import can_check_in, can_run_meeting, can_view_meeting
from app.meetings.services import is_int, lock_meeting, require_not_closed
from app.organizations.models import Adhesion, Organization

#: how each role is counted
PRESENCE_GROUPS = {
    "member": "members", "chair": "chair", "admin": "chair", "observer": "observers", "participant": "participants",
}


def _present(meeting_id: int) -> Any:
    """Condition: checked in to the meeting now (to join on users)."""
    return sa.and_(Attendance.user_id == User.id, Attendance.meeting_id == meeting_id, Attendance.present.is_(True))


def _present_people(session: Session, meeting_id: int) -> list[Any]:
    """Present accounts of the table by name; participants are left to the counts (a burst of
    hundreds of check-ins must not broadcast hundreds of names each)."""
    return session.execute(
        sa.select(User.id, User.name, User.role, User.organization_id).join(Attendance, _present(meeting_id))
        .where(User.role != "participant").order_by(User.name, User.id)
    ).all()


def present_user_ids(session: Session, meeting_id: int) -> set[int]:
    """Everyone checked in now (the vote engine's quorum on presence and its "people" electorate)."""
    return set(session.scalars(
        sa.select(Attendance.user_id).where(Attendance.meeting_id == meeting_id, Attendance.present.is_(True))
    ))


def present_organization_ids(session: Session, meeting_id: int) -> set[int]:
    """Organizations with at least one representative (a member account) checked in now."""
    return set(session.scalars(
        sa.select(User.organization_id).distinct().join(Attendance, _present(meeting_id))
        .where(User.role == "member", User.organization_id.is_not(None))
    ))


def adhered_organization_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Adhesion.organization_id).where(Adhesion.withdrawn_at.is_(None))))


def _group(role: str) -> str:
    return PRESENCE_GROUPS.get(role, "members")


def presence_counts(session: Session, meeting_id: int) -> dict[str, int]:
    """People present by group: members, chair, observers, participants, and the total."""
    counts = dict.fromkeys(("members", "chair", "observers", "participants"), 0)
    for role, number in session.execute(
            sa.select(User.role, sa.func.count(User.id)).join(Attendance, _present(meeting_id)).group_by(User.role)):
        counts[_group(role)] += number
    counts["total"] = sum(counts.values())
    return counts


def presence_state(session: Session, meeting: Meeting) -> dict[str, Any]:
    """`presence` in the snapshot and in presence_changed: people and organizations present, counts."""
    users = [
        {"user_id": row.id, "name": row.name, "role": row.role, "group": _group(row.role),
         "organization_id": row.organization_id}
        for row in _present_people(session, meeting.id)
    ]
    org_ids = present_organization_ids(session, meeting.id)
    adhered = adhered_organization_ids(session)
    organizations = [
        {"id": org.id, "name": org.name, "short_name": org.short_name, "adhered": org.id in adhered}
        for org in session.scalars(sa.select(Organization).where(Organization.id.in_(org_ids or {0})).order_by(Organization.name))
    ]
    return {"users": users, "organizations": organizations, "counts": presence_counts(session, meeting.id)}


def quorum_state(session: Session, meeting: Meeting) -> dict[str, Any]:
    """Organizations with an active adhesion against those present, and town-meeting participants.

    `majority` is half the adhered organizations plus one: an indication for the console; each poll
    keeps its own quorum rule and the vote engine evaluates it.
    """
    adhered = adhered_organization_ids(session)
    present = adhered & present_organization_ids(session, meeting.id)
    majority = len(adhered) // 2 + 1 if adhered else 0
    valid_code = sa.and_(AccessCode.meeting_id == meeting.id, AccessCode.revoked_at.is_(None))
    return {
        "organizations_entitled": len(adhered),
        "organizations_present": len(present),
        "majority": majority,
        "majority_present": bool(adhered) and len(present) >= majority,
        # counted by the database: a town meeting may have thousands of participants
        "participants_entitled": session.scalar(
            sa.select(sa.func.count(AccessCode.id)).where(valid_code, AccessCode.user_id.is_not(None))),
        "participants_present": session.scalar(
            sa.select(sa.func.count(Attendance.id)).join(AccessCode, AccessCode.user_id == Attendance.user_id)
            .where(valid_code, Attendance.meeting_id == meeting.id, Attendance.present.is_(True))),
    }


def is_present(session: Session, meeting: Meeting, user: Any) -> bool:
    if user is None or getattr(user, "id", None) is None:
        return False
    return bool(session.scalar(sa.select(Attendance.present).where(
        Attendance.meeting_id == meeting.id, Attendance.user_id == user.id)))


def queue_presence_changed(session: Session, meeting: Meeting, user_id: int, present: bool) -> None:
    session.flush()
    queue_event(session, meeting_room(meeting.id), "presence_changed", {
        "meeting_id": meeting.id, "user_id": user_id, "present": present,
        "presence": presence_state(session, meeting), "quorum": quorum_state(session, meeting),
    })


def set_presence(
    session: Session, actor: Any, meeting: Meeting, *, user_id: int | None = None, present: bool = True,
) -> bool:
    """Check a person in or out: oneself, or anyone by the chair. Returns whether anything changed."""
    if user_id is None or user_id == getattr(actor, "id", None):
        require(can_check_in(actor, meeting), actor)
        target = actor
    else:
        require(can_run_meeting(actor, meeting), actor)
        target = session.get(User, user_id) if is_int(user_id) else None
        if target is None or not target.active or not can_view_meeting(target, meeting):
            raise NotFound(_("Persona non trovata tra i partecipanti di questo incontro."), code="not_found")
    if not isinstance(present, bool):
        raise InvalidInput(_("Dati non validi."), fields={"present": ["invalid"]})
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    row = session.scalar(sa.select(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.user_id == target.id))
    if (row.present if row else False) == present:
        return False
    now = utcnow()
    if row is None:
        row = Attendance(meeting_id=meeting.id, user_id=target.id, present=True, arrived_at=now)
        session.add(row)
    row.present = present
    row.changed_at = now
    row.changed_by_id = actor.id
    session.flush()
    record(session, actor, "meetings.attendance.checked_in" if present else "meetings.attendance.checked_out", row,
           {"meeting_id": meeting.id, "user_id": target.id, "by_chair": target.id != actor.id})
    queue_presence_changed(session, meeting, target.id, present)
    return True
