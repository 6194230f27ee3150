from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated


def can_view_meeting(user: Any, meeting: Any) -> bool:
    """Meeting pages and rooms: every account of the table; a participant only their own meeting."""
    if not is_authenticated(user):
        return False
    if user.role == "participant":
        return meeting.id in participant_meeting_ids(user)
    return True


def can_run_meeting(user: Any, meeting: Any) -> bool:
    return is_authenticated(user) and user.is_chair


def participant_meeting_ids(user: Any) -> set[int]:
    """Meetings a town-meeting participant was given an access code for (none in the foundation)."""
    ids = getattr(user, "participant_meeting_ids", None)
    return set(ids() if callable(ids) else ids or ())
