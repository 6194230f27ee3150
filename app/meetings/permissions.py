from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated

#: roles that may ask for the floor (observers watch and verify, they do not take part)
SPEAKING_ROLES = {"member", "chair", "admin", "participant"}


def can_view_meeting(user: Any, meeting: Any) -> bool:
    """Meeting pages and rooms: every account of the table; a participant only their own meeting."""
    if not is_authenticated(user):
        return False
    if user.role == "participant":
        return meeting.id in participant_meeting_ids(user)
    return True


def can_run_meeting(user: Any, meeting: Any) -> bool:
    """Agenda, current item, presence of others, list of speakers, access codes: the chair."""
    return is_authenticated(user) and user.is_chair


def can_create_meeting(user: Any) -> bool:
    return is_authenticated(user) and user.is_chair


def can_check_in(user: Any, meeting: Any) -> bool:
    """Anyone who may follow the meeting may say they are there (observers are counted apart)."""
    return can_view_meeting(user, meeting)


def can_request_to_speak(user: Any, meeting: Any) -> bool:
    return can_view_meeting(user, meeting) and user.role in SPEAKING_ROLES


def can_withdraw_speaker_request(user: Any, request: Any) -> bool:
    """Speakers take back their own request; the chair may strike any request off the list."""
    if not is_authenticated(user):
        return False
    return user.id == request.user_id or can_run_meeting(user, request.meeting)


def participant_meeting_ids(user: Any) -> set[int]:
    """Meetings a town-meeting participant holds a valid (not revoked) access code for."""
    if not is_authenticated(user) or user.role != "participant":
        return set()
    import sqlalchemy as sa

    from app.extensions import db
    from app.meetings.models import AccessCode

    return set(db.session.scalars(
        sa.select(AccessCode.meeting_id).where(AccessCode.user_id == user.id, AccessCode.revoked_at.is_(None))
    ))
