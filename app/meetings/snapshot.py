"""The meeting snapshot (GET /api/v1/meetings/{id}, join_meeting and resync acks) and its extension points.

Other domains add to the live meeting without meetings importing them:
- `register_snapshot_part(name, fn)`: `fn(session, meeting, user) -> JSON value` is put in the
  snapshot under `name` (the vote engine fills "polls"; until then it is `[]`);
- `register_page_script(path)`: a static file loaded on the participant view, console and projector
  after static/js/meetings.js, to fill the `#live-vote` region (see docs in meetings.js);
- `register_page_messages(name, fn)`: `fn(meeting) -> dict` of texts (translated on the server, so
  page scripts hold no language), given to the scripts as `ctx.messages[name]`.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from sqlalchemy.orm import Session

from app.meetings.models import Meeting
from app.meetings.permissions import can_request_to_speak, can_run_meeting

SnapshotPart = Callable[[Session, Meeting, Any], Any]

#: parts other domains may provide, with their value while nobody provides them
DEFAULT_PARTS: dict[str, Any] = {"polls": []}
_parts: dict[str, SnapshotPart] = {}
_page_scripts: list[str] = []
_page_messages: dict[str, Callable[[Meeting], dict[str, Any]]] = {}
#: keys the meetings domain fills itself; a part may not replace them
CORE_KEYS = {
    "id", "title", "starts_at", "place", "status", "opened_at", "closed_at", "current_item_id", "agenda",
    "presence", "quorum", "speakers", "speakers_open", "speaking_limit", "speaker_totals", "server_time", "me",
}


def register_snapshot_part(name: str, fn: SnapshotPart) -> None:
    """Add (or replace, when registered again by a new app instance) a part of the snapshot."""
    if name in CORE_KEYS:
        raise ValueError(f"snapshot key {name!r} belongs to the meetings domain")
    _parts[name] = fn


def snapshot_part_names() -> list[str]:
    return sorted(set(DEFAULT_PARTS) | set(_parts))


def register_page_script(path: str) -> None:
    """A script under static/ for the live meeting pages, e.g. "js/votes.js" (loaded once, in order)."""
    if path not in _page_scripts:
        _page_scripts.append(path)


def page_scripts() -> list[str]:
    return list(_page_scripts)


def register_page_messages(name: str, fn: Callable[[Meeting], dict[str, Any]]) -> None:
    """Texts for a page script under `messages[name]` (replaced when registered again)."""
    _page_messages[name] = fn


def page_messages(meeting: Meeting) -> dict[str, dict[str, Any]]:
    return {name: fn(meeting) for name, fn in _page_messages.items()}


def me_state(session: Session, meeting: Meeting, user: Any) -> dict[str, Any]:
    """What the asking user may do and whether they are checked in (the snapshot is per user)."""
    from app.meetings.presence import is_present

    return {
        "user_id": getattr(user, "id", None),
        "present": is_present(session, meeting, user),
        "can_run": can_run_meeting(user, meeting),
        "can_speak": can_request_to_speak(user, meeting),
    }


def meeting_snapshot(session: Session, meeting: Meeting, user: Any = None) -> dict[str, Any]:
    """What a client needs to draw the meeting, for `user` (None: nobody in particular)."""
    from app.meetings.presence import presence_state, quorum_state
    from app.meetings.services import agenda_list, meeting_header
    from app.meetings.speakers import speakers_state

    snapshot: dict[str, Any] = {
        **meeting_header(meeting),
        "agenda": agenda_list(session, meeting),
        **copy.deepcopy(DEFAULT_PARTS),
        "presence": presence_state(session, meeting),
        "quorum": quorum_state(session, meeting),
        **speakers_state(session, meeting),
        "me": me_state(session, meeting, user),
    }
    for name, fn in _parts.items():
        snapshot[name] = fn(session, meeting, user)
    return snapshot
