"""The list of speakers: requests, order, the floor, speaking time and totals for fairness.

Order of the waiting list: points of order first, then replies (heard right after the current
speaker), then contributions; within a kind, first come first served. Speaking time is measured by
the server (started_at / ended_at); the optional per-meeting limit is shown by clients, the chair
ends the speech.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from app.audit.services import record
from app.auth.models import User
from app.core.db import isoformat, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.permissions import require
from app.core.realtime import meeting_room, queue_event
from app.meetings.models import Meeting, SpeakerKind, SpeakerRequest, SpeakerState
from app.meetings.permissions import can_request_to_speak, can_run_meeting, can_withdraw_speaker_request
from app.meetings.services import is_int, lock_meeting, require_not_closed, require_open, server_time

KINDS = [kind.value for kind in SpeakerKind]
#: lower is heard earlier
KIND_RANK = {SpeakerKind.POINT_OF_ORDER.value: 0, SpeakerKind.REPLY.value: 1, SpeakerKind.CONTRIBUTION.value: 2}


def get_speaker_request(session: Session, meeting: Meeting, speaker_id: Any) -> SpeakerRequest:
    """The request, refused as not found when it belongs to another meeting."""
    request = session.get(SpeakerRequest, speaker_id) if is_int(speaker_id) else None
    if request is None or request.meeting_id != meeting.id:
        raise NotFound(_("Richiesta di intervento non trovata."))
    return request


def _requests(session: Session, meeting: Meeting, *states: str) -> list[SpeakerRequest]:
    return list(session.scalars(
        sa.select(SpeakerRequest).options(joinedload(SpeakerRequest.user), joinedload(SpeakerRequest.organization))
        .where(SpeakerRequest.meeting_id == meeting.id, SpeakerRequest.state.in_(states))
        .order_by(SpeakerRequest.id)
    ))


def waiting_list(session: Session, meeting: Meeting) -> list[SpeakerRequest]:
    return sorted(_requests(session, meeting, SpeakerState.WAITING.value), key=lambda r: (KIND_RANK[r.kind], r.id))


def current_speech(session: Session, meeting: Meeting) -> SpeakerRequest | None:
    return session.scalar(sa.select(SpeakerRequest).where(
        SpeakerRequest.meeting_id == meeting.id, SpeakerRequest.state == SpeakerState.SPEAKING.value))


def speech_seconds(request: SpeakerRequest) -> int | None:
    if request.started_at is None or request.ended_at is None:
        return None
    return max(0, round((request.ended_at - request.started_at).total_seconds()))


def speaker_dict(request: SpeakerRequest, position: int | None) -> dict[str, Any]:
    """`position` is 0 for whoever has the floor, then 1, 2, ... down the waiting list (None: over)."""
    organization = request.organization
    return {
        "id": request.id, "user_id": request.user_id, "name": request.user.name,
        "organization_id": request.organization_id,
        "organization": (organization.short_name or organization.name) if organization else None,
        "kind": request.kind, "state": request.state, "position": position,
        "requested_at": isoformat(request.requested_at), "started_at": isoformat(request.started_at),
        "ended_at": isoformat(request.ended_at), "seconds": speech_seconds(request),
    }


def speakers_list(session: Session, meeting: Meeting) -> list[dict[str, Any]]:
    """The speaker with the floor (if any), then the waiting list in the order it will be heard."""
    speaking = _requests(session, meeting, SpeakerState.SPEAKING.value)
    return [speaker_dict(r, 0) for r in speaking] + [
        speaker_dict(r, position) for position, r in enumerate(waiting_list(session, meeting), start=1)
    ]


def speaker_totals(session: Session, meeting: Meeting) -> dict[str, list[dict[str, Any]]]:
    """Finished speeches per person and per organization (count and seconds), most time first."""
    people: dict[int, dict[str, Any]] = {}
    organizations: dict[int, dict[str, Any]] = {}
    for request in _requests(session, meeting, SpeakerState.DONE.value):
        seconds = speech_seconds(request) or 0
        person = people.setdefault(request.user_id, {
            "user_id": request.user_id, "name": request.user.name, "organization_id": request.organization_id,
            "count": 0, "seconds": 0,
        })
        person["count"] += 1
        person["seconds"] += seconds
        if request.organization is not None:
            org = organizations.setdefault(request.organization_id, {
                "organization_id": request.organization_id,
                "name": request.organization.short_name or request.organization.name, "count": 0, "seconds": 0,
            })
            org["count"] += 1
            org["seconds"] += seconds

    def ranked(rows: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows.values(), key=lambda row: (-row["seconds"], row["name"]))

    return {"people": ranked(people), "organizations": ranked(organizations)}


def speakers_state(session: Session, meeting: Meeting) -> dict[str, Any]:
    """The speakers part of the snapshot, and the whole payload of speakers_changed."""
    return {
        "speakers": speakers_list(session, meeting),
        "speakers_open": meeting.speakers_open,
        "speaking_limit": meeting.speaking_limit,
        "speaker_totals": speaker_totals(session, meeting),
        "server_time": server_time(),
    }


def queue_speakers_changed(session: Session, meeting: Meeting) -> None:
    session.flush()
    queue_event(session, meeting_room(meeting.id), "speakers_changed",
                {"meeting_id": meeting.id, **speakers_state(session, meeting)})


def _require_state(request: SpeakerRequest, state: str, message: str) -> None:
    """A request no longer in the expected state: the client acted on a stale list (a 409 state
    conflict, as docs/api.md says of every state conflict)."""
    if request.state != state:
        raise Conflict(message, code=f"not_{state}", fields={"speaker_id": [f"not_{state}"]})


def request_to_speak(
    session: Session, actor: Any, meeting: Meeting, kind: str = SpeakerKind.CONTRIBUTION.value, *,
    user_id: int | None = None,
) -> SpeakerRequest:
    """Ask for the floor; the chair may also put someone else on the list (even when it is closed)."""
    on_behalf = user_id is not None and user_id != getattr(actor, "id", None)
    if on_behalf:
        require(can_run_meeting(actor, meeting), actor)
        speaker = session.get(User, user_id) if is_int(user_id) else None
        if speaker is None or not speaker.active or not can_request_to_speak(speaker, meeting):
            raise NotFound(_("Persona non trovata tra chi può intervenire in questo incontro."), code="not_found")
    else:
        require(can_request_to_speak(actor, meeting), actor)
        speaker = actor
    if kind not in KINDS:
        raise InvalidInput(_("Tipo di intervento sconosciuto."), fields={"kind": ["unknown"]})
    lock_meeting(session, meeting)
    require_open(meeting)
    if not meeting.speakers_open and not on_behalf:
        raise Conflict(_("La lista degli interventi è chiusa: la presidenza non accetta nuove richieste."),
                       code="speakers_closed")
    if session.scalar(sa.select(SpeakerRequest.id).where(
            SpeakerRequest.meeting_id == meeting.id, SpeakerRequest.user_id == speaker.id,
            SpeakerRequest.state == SpeakerState.WAITING.value)):
        raise Conflict(_("Sei già nella lista degli interventi: ritira la richiesta per cambiarla."),
                       code="already_in_list")
    request = SpeakerRequest(
        meeting_id=meeting.id, user_id=speaker.id, organization_id=speaker.organization_id,
        agenda_item_id=meeting.current_item_id, kind=kind, state=SpeakerState.WAITING.value, requested_at=utcnow(),
    )
    session.add(request)
    session.flush()
    record(session, actor, "meetings.speaker.requested", request,
           {"meeting_id": meeting.id, "user_id": speaker.id, "kind": kind, "by_chair": on_behalf})
    queue_speakers_changed(session, meeting)
    return request


def withdraw_speaker_request(session: Session, actor: Any, request: SpeakerRequest) -> SpeakerRequest:
    meeting = request.meeting
    require(can_withdraw_speaker_request(actor, request), actor)
    lock_meeting(session, meeting)
    session.refresh(request)
    _require_state(request, SpeakerState.WAITING.value, _("Questa richiesta non è più in attesa."))
    request.state = SpeakerState.WITHDRAWN.value
    request.ended_at = utcnow()
    session.flush()
    record(session, actor, "meetings.speaker.withdrawn", request,
           {"meeting_id": meeting.id, "user_id": request.user_id, "by_chair": actor.id != request.user_id})
    queue_speakers_changed(session, meeting)
    return request


def _finish(request: SpeakerRequest) -> None:
    request.state = SpeakerState.DONE.value
    request.ended_at = utcnow()


def give_floor(session: Session, actor: Any, request: SpeakerRequest) -> SpeakerRequest:
    """The chair gives the floor; whoever was speaking finishes at that moment."""
    meeting = request.meeting
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_open(meeting)
    session.refresh(request)
    _require_state(request, SpeakerState.WAITING.value, _("Questa richiesta non è più in attesa."))
    previous = current_speech(session, meeting)
    if previous is not None:
        _finish(previous)
        session.flush()  # one speaker at a time, also for the database's unique index
    request.state = SpeakerState.SPEAKING.value
    request.started_at = utcnow()
    session.flush()
    record(session, actor, "meetings.speaker.started", request, {
        "meeting_id": meeting.id, "user_id": request.user_id, "kind": request.kind,
        "ended": {"speaker_id": previous.id, "seconds": speech_seconds(previous)} if previous else None,
    })
    queue_speakers_changed(session, meeting)
    return request


def end_speech(session: Session, actor: Any, meeting: Meeting, request: SpeakerRequest | None = None) -> SpeakerRequest:
    """The chair ends the speech given (or the current one)."""
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    if request is not None:
        session.refresh(request)
    request = request or current_speech(session, meeting)
    if request is None:
        raise Conflict(_("Nessuno ha la parola in questo momento."), code="not_speaking", fields={"speaker_id": ["not_speaking"]})
    _require_state(request, SpeakerState.SPEAKING.value, _("Questo intervento non è in corso."))
    _finish(request)
    session.flush()
    record(session, actor, "meetings.speaker.ended", request,
           {"meeting_id": meeting.id, "user_id": request.user_id, "seconds": speech_seconds(request)})
    queue_speakers_changed(session, meeting)
    return request


def set_speakers_open(session: Session, actor: Any, meeting: Meeting, is_open: bool) -> Meeting:
    """Close the list to new requests, or reopen it. Those already waiting keep their place."""
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    if meeting.speakers_open == is_open:
        return meeting
    meeting.speakers_open = is_open
    session.flush()
    record(session, actor, "meetings.speakers.opened" if is_open else "meetings.speakers.closed", meeting, {})
    queue_speakers_changed(session, meeting)
    return meeting


def wind_up_speakers(session: Session, meeting: Meeting) -> dict[str, Any]:
    """When the meeting closes: the speech in course ends, waiting requests lapse, the list closes."""
    speaking = current_speech(session, meeting)
    if speaking is not None:
        _finish(speaking)
    waiting = _requests(session, meeting, SpeakerState.WAITING.value)
    for request in waiting:
        request.state = SpeakerState.WITHDRAWN.value
        request.ended_at = utcnow()
    meeting.speakers_open = False
    queue_speakers_changed(session, meeting)
    return {"ended_speaker_id": speaking.id if speaking else None, "lapsed_requests": len(waiting)}


def describe_request(session: Session, meeting: Meeting, request: SpeakerRequest) -> dict[str, Any]:
    """One request as the API returns it, with its place in the list (None once it is over)."""
    for entry in speakers_list(session, meeting):
        if entry["id"] == request.id:
            return entry
    return speaker_dict(request, None)
