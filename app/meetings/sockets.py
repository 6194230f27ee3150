"""Live handlers of meetings on /live: join and resync, request to speak, and the chair's console.

Each handler validates its payload, loads the meeting the user may see, and calls the same service
as the API (which checks the chair's right again). Changes commit here; their events reach the
meeting's room only after the commit.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_socketio import join_room

from app.audit.services import head_seq
from app.auth.sockets import live_handler
from app.core.errors import InvalidInput, field_errors
from app.core.permissions import require
from app.core.realtime import meeting_room
from app.extensions import db
from app.meetings import presence, services, speakers
from app.meetings.permissions import can_view_meeting
from app.meetings.schemas import (
    CheckInEventSchema, CurrentItemEventSchema, EndSpeechEventSchema, MeetingEventSchema, RequestToSpeakEventSchema,
    ResyncEventSchema, SpeakerEventSchema,
)
from app.meetings.snapshot import meeting_snapshot


def _load(schema: ma.Schema, payload: dict) -> dict:
    try:
        return schema.load(payload)
    except ma.ValidationError as exc:
        raise InvalidInput(_("Dati non validi."), fields=field_errors(exc.messages)) from exc


def _meeting_for(user: Any, payload: dict, schema: ma.Schema | None = None) -> tuple[Any, dict]:
    data = _load(schema or MeetingEventSchema(), payload)
    meeting = services.get_meeting(db.session, data["meeting_id"])
    require(can_view_meeting(user, meeting), user)
    return meeting, data


def _snapshot_ack(user: Any, meeting: Any) -> dict:
    """Join the room first, then read: an event committed meanwhile is either in the snapshot or received."""
    join_room(meeting_room(meeting.id))
    seq = head_seq(db.session)
    return {"snapshot": meeting_snapshot(db.session, meeting, user), "seq": seq}


@live_handler("join_meeting")
def join_meeting(user: Any, payload: dict) -> dict:
    """Enter the meeting's room; the ack carries the snapshot and the seq it is valid at."""
    meeting, _data = _meeting_for(user, payload)
    return _snapshot_ack(user, meeting)


@live_handler("resync")
def resync(user: Any, payload: dict) -> dict:
    """After a reconnection: a fresh snapshot, and whether anything happened since `since`."""
    meeting, data = _meeting_for(user, payload, ResyncEventSchema())
    ack = _snapshot_ack(user, meeting)
    return {**ack, "changed": ack["seq"] > data["since"]}


@live_handler("request_to_speak")
def request_to_speak(user: Any, payload: dict) -> dict:
    meeting, data = _meeting_for(user, payload, RequestToSpeakEventSchema())
    request = speakers.request_to_speak(db.session, user, meeting, data["kind"])
    db.session.commit()
    return {"speaker": speakers.describe_request(db.session, meeting, request)}


@live_handler("withdraw_request")
def withdraw_request(user: Any, payload: dict) -> dict:
    meeting, data = _meeting_for(user, payload, SpeakerEventSchema())
    request = speakers.get_speaker_request(db.session, meeting, data["speaker_id"])
    speakers.withdraw_speaker_request(db.session, user, request)
    db.session.commit()
    return {"speaker": speakers.describe_request(db.session, meeting, request)}


@live_handler("check_in")
def check_in(user: Any, payload: dict) -> dict:
    """Oneself, or `user_id` by the chair; `present: false` checks out."""
    meeting, data = _meeting_for(user, payload, CheckInEventSchema())
    changed = presence.set_presence(db.session, user, meeting, user_id=data["user_id"], present=data["present"])
    db.session.commit()
    return {"changed": changed, "present": data["present"]}


# --- the chair's console ----------------------------------------------------------------------

@live_handler("set_current_item")
def set_current_item(user: Any, payload: dict) -> dict:
    meeting, data = _meeting_for(user, payload, CurrentItemEventSchema())
    services.set_current_item(db.session, user, meeting, data["item_id"])
    db.session.commit()
    return {"current_item_id": meeting.current_item_id}


@live_handler("give_floor")
def give_floor(user: Any, payload: dict) -> dict:
    meeting, data = _meeting_for(user, payload, SpeakerEventSchema())
    request = speakers.get_speaker_request(db.session, meeting, data["speaker_id"])
    speakers.give_floor(db.session, user, request)
    db.session.commit()
    return {"speaker": speakers.describe_request(db.session, meeting, request)}


@live_handler("end_speech")
def end_speech(user: Any, payload: dict) -> dict:
    """Ends `speaker_id`, or whoever has the floor when it is omitted."""
    meeting, data = _meeting_for(user, payload, EndSpeechEventSchema())
    request = None
    if data["speaker_id"] is not None:
        request = speakers.get_speaker_request(db.session, meeting, data["speaker_id"])
    request = speakers.end_speech(db.session, user, meeting, request)
    db.session.commit()
    return {"speaker": speakers.describe_request(db.session, meeting, request)}


def _set_speakers_open(user: Any, payload: dict, is_open: bool) -> dict:
    meeting, _data = _meeting_for(user, payload)
    speakers.set_speakers_open(db.session, user, meeting, is_open)
    db.session.commit()
    return {"speakers_open": meeting.speakers_open}


@live_handler("close_speakers")
def close_speakers(user: Any, payload: dict) -> dict:
    return _set_speakers_open(user, payload, False)


@live_handler("open_speakers")
def open_speakers(user: Any, payload: dict) -> dict:
    return _set_speakers_open(user, payload, True)
