"""Meetings and their agenda: create, edit, open and close, agenda items, their order, the current item.

Every write takes the acting user, checks the rule, audits in the same transaction and queues the
live event for the meeting's room (sent only after commit). Presence, speakers and access codes have
their own modules; `snapshot.py` assembles what clients draw.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.core.db import isoformat, lock_for_append, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.permissions import require
from app.core.realtime import meeting_room, queue_event
from app.meetings.models import AgendaItem, Meeting, MeetingStatus
from app.meetings.permissions import can_create_meeting, can_run_meeting, participant_meeting_ids

MAX_TITLE = 200
MAX_ITEM_TITLE = 300
MAX_PLACE = 300
#: planned duration of an agenda item, in minutes
MAX_DURATION = 600
#: per-meeting limit of one speech, in seconds
MIN_SPEAKING_LIMIT, MAX_SPEAKING_LIMIT = 10, 3600
#: what an agenda item may be about; only the format is checked (the target may live in another domain)
REF_PATTERN = re.compile(r"^(proposal|clause|poll|document):[1-9][0-9]{0,9}$")
#: advisory-lock namespace of meetings ("MT" in the high half), below the meeting id
MEETING_LOCK_BASE = 0x4D54 << 32


def is_int(value: Any) -> bool:
    """A JSON integer (bool is an int in Python, never an id)."""
    return isinstance(value, int) and not isinstance(value, bool)


def get_meeting(session: Session, meeting_id: Any) -> Meeting:
    meeting = session.get(Meeting, meeting_id) if is_int(meeting_id) else None
    if meeting is None:
        raise NotFound(_("Incontro non trovato."), code="meeting_not_found")
    return meeting


def list_meetings(session: Session, user: Any = None) -> list[Meeting]:
    """Meetings, most recent first; a town-meeting participant sees only their own."""
    query = sa.select(Meeting).order_by(Meeting.starts_at.desc())
    if getattr(user, "role", None) == "participant":
        query = query.where(Meeting.id.in_(participant_meeting_ids(user) or {0}))
    return list(session.scalars(query))


def get_agenda_item(session: Session, item_id: Any, meeting: Meeting | None = None) -> AgendaItem:
    """The item, refused as not found when it belongs to another meeting than the one named."""
    item = session.get(AgendaItem, item_id) if is_int(item_id) else None
    if item is None or (meeting is not None and item.meeting_id != meeting.id):
        raise NotFound(_("Punto all'ordine del giorno non trovato."))
    return item


def lock_meeting(session: Session, meeting: Meeting) -> None:
    """Serialize the writers of one meeting (list order, positions, presence) until commit.

    SQLite already runs one writer at a time. On PostgreSQL a transaction-scoped advisory lock does
    it, and the meeting row is re-read because another writer may have changed it meanwhile. Taken
    before the audit append, always in that order, so the two locks cannot deadlock.
    """
    if session.get_bind().dialect.name == "postgresql":
        lock_for_append(session, MEETING_LOCK_BASE + meeting.id)
        session.refresh(meeting)


def require_not_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED.value:
        raise Conflict(_("L'incontro è concluso: non si può più modificare."), code="meeting_closed")


def require_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.OPEN.value:
        raise Conflict(_("L'incontro non è aperto: la presidenza deve prima aprirlo."), code="meeting_not_open")


# --- what clients see -------------------------------------------------------------------------

def agenda_item_dict(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.id, "title": item.title, "duration": item.duration, "position": item.position, "ref": item.ref,
        "started_at": isoformat(item.started_at),
    }


def meeting_header(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "starts_at": isoformat(meeting.starts_at),
        "place": meeting.place,
        "status": meeting.status,
        "opened_at": isoformat(meeting.opened_at),
        "closed_at": isoformat(meeting.closed_at),
        "current_item_id": meeting.current_item_id,
    }


def agenda_list(session: Session, meeting: Meeting) -> list[dict[str, Any]]:
    items = session.scalars(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position, AgendaItem.id)
    )
    return [agenda_item_dict(item) for item in items]


def server_time() -> str:
    """Sent with every timed payload, so clients correct their clock before counting down."""
    return isoformat(utcnow())


def queue_agenda_changed(session: Session, meeting: Meeting) -> None:
    """The meeting's header (title, time, place, status) and its whole agenda."""
    session.flush()
    session.expire(meeting, ["items"])  # the relationship may hold the order before this change
    queue_event(session, meeting_room(meeting.id), "agenda_changed", {
        "meeting_id": meeting.id, **meeting_header(meeting), "agenda": agenda_list(session, meeting),
    })


def queue_current_item_changed(session: Session, meeting: Meeting) -> None:
    item = session.get(AgendaItem, meeting.current_item_id) if meeting.current_item_id else None
    queue_event(session, meeting_room(meeting.id), "current_item_changed", {
        "meeting_id": meeting.id, "current_item_id": meeting.current_item_id,
        "item": agenda_item_dict(item) if item else None, "server_time": server_time(),
    })


# --- validation -------------------------------------------------------------------------------

def _clean_text(value: Any, field: str, max_length: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > max_length:
        raise InvalidInput(
            _("Campo obbligatorio, al massimo %(n)d caratteri.", n=max_length) if required
            else _("Al massimo %(n)d caratteri.", n=max_length),
            fields={field: ["invalid"]},
        )
    return text


def _clean_starts_at(value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise InvalidInput(_("Data e ora non valide."), fields={"starts_at": ["invalid"]})
    return value.astimezone(dt.timezone.utc)


def _clean_optional_int(value: Any, field: str, low: int, high: int, message: str) -> int | None:
    if value is None:
        return None
    if not is_int(value) or not low <= value <= high:
        raise InvalidInput(message, fields={field: ["out_of_range"]})
    return value


def clean_duration(value: Any) -> int | None:
    return _clean_optional_int(
        value, "duration", 1, MAX_DURATION, _("La durata va da 1 a %(n)d minuti.", n=MAX_DURATION))


def clean_speaking_limit(value: Any) -> int | None:
    return _clean_optional_int(
        value, "speaking_limit", MIN_SPEAKING_LIMIT, MAX_SPEAKING_LIMIT,
        _("Il tempo per intervento va da %(low)d a %(high)d secondi.", low=MIN_SPEAKING_LIMIT, high=MAX_SPEAKING_LIMIT),
    )


def clean_ref(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not REF_PATTERN.match(value.strip()):
        raise InvalidInput(
            _("Riferimento non valido: usa tipo:numero, per esempio proposal:3, clause:7, poll:2 o document:1."),
            fields={"ref": ["invalid"]},
        )
    return value.strip()


# --- meetings ---------------------------------------------------------------------------------

def create_meeting(
    session: Session, actor: Any, *, title: str, starts_at: dt.datetime, place: str = "",
    speaking_limit: int | None = None, system: bool = False,
) -> Meeting:
    if not system:
        require(can_create_meeting(actor), actor)
    from app.process.services import current_process  # meetings belong to the instance's process

    process = current_process(session)
    meeting = Meeting(
        process_id=process.id if process else None,
        title=_clean_text(title, "title", MAX_TITLE, required=True),
        starts_at=_clean_starts_at(starts_at),
        place=_clean_text(place or "", "place", MAX_PLACE, required=False),
        speaking_limit=clean_speaking_limit(speaking_limit),
        status=MeetingStatus.PLANNED.value,
    )
    session.add(meeting)
    session.flush()
    record(session, actor, "meetings.meeting.created", meeting,
           {"title": meeting.title, "starts_at": isoformat(meeting.starts_at)})
    return meeting


UPDATABLE = ("title", "starts_at", "place", "speaking_limit")


def update_meeting(session: Session, actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    """Title, date and time, place or link, speaking limit (only the fields given)."""
    require(can_run_meeting(actor, meeting), actor)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInput(_("Campi sconosciuti."), fields={name: ["unknown"] for name in unknown})
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    cleaners = {
        "title": lambda v: _clean_text(v, "title", MAX_TITLE, required=True),
        "starts_at": _clean_starts_at,
        "place": lambda v: _clean_text(v or "", "place", MAX_PLACE, required=False),
        "speaking_limit": clean_speaking_limit,
    }
    cleaned = {name: cleaners[name](value) for name, value in changes.items()}
    changed = [name for name, value in cleaned.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, cleaned[name])
    session.flush()
    # the place may be a private meeting link: the public log names the fields, not their values
    record(session, actor, "meetings.meeting.updated", meeting, {"fields": sorted(changed), "title": meeting.title})
    queue_agenda_changed(session, meeting)
    if "speaking_limit" in changed:
        from app.meetings.speakers import queue_speakers_changed

        queue_speakers_changed(session, meeting)
    return meeting


#: for each status reached: the timestamp column it sets and the audit verb
TRANSITION_RECORDS = {MeetingStatus.OPEN: ("opened_at", "opened"), MeetingStatus.CLOSED: ("closed_at", "closed")}


def _transition(
    session: Session, actor: Any, meeting: Meeting, *, source: MeetingStatus, target: MeetingStatus,
    refusal: str, side_effects: Any = None,
) -> Meeting:
    """source → target, stamped and audited. Asking again for the current status changes nothing
    (a double click is harmless); any other status is refused."""
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    if meeting.status == target.value:
        return meeting
    if meeting.status != source.value:
        raise Conflict(refusal, code="invalid_transition")
    stamp, action = TRANSITION_RECORDS[target]
    meeting.status = target.value
    setattr(meeting, stamp, utcnow())
    data = side_effects(session, meeting) if side_effects else {}
    session.flush()
    record(session, actor, f"meetings.meeting.{action}", meeting, {"from": source.value, "to": target.value, **data})
    queue_agenda_changed(session, meeting)
    return meeting


def open_meeting(session: Session, actor: Any, meeting: Meeting) -> Meeting:
    """planned → open."""
    return _transition(session, actor, meeting, source=MeetingStatus.PLANNED, target=MeetingStatus.OPEN,
                       refusal=_("Un incontro concluso non si riapre."))


def close_meeting(session: Session, actor: Any, meeting: Meeting) -> Meeting:
    """open → closed: the current speech ends, the list of speakers closes, waiting requests lapse."""
    from app.meetings.speakers import wind_up_speakers

    return _transition(session, actor, meeting, source=MeetingStatus.OPEN, target=MeetingStatus.CLOSED,
                       refusal=_("Si può concludere solo un incontro aperto."), side_effects=wind_up_speakers)


# --- agenda -----------------------------------------------------------------------------------

def _items(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return list(session.scalars(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position, AgendaItem.id)
    ))


def _renumber(items: Iterable[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position


def add_agenda_item(
    session: Session, actor: Any, meeting: Meeting, *, title: str, duration: int | None = None,
    ref: str | None = None,
) -> AgendaItem:
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    items = _items(session, meeting)
    item = AgendaItem(
        meeting_id=meeting.id, title=_clean_text(title, "title", MAX_ITEM_TITLE, required=True),
        duration=clean_duration(duration), ref=clean_ref(ref), position=len(items) + 1,
    )
    session.add(item)
    _renumber([*items, item])
    session.flush()
    record(session, actor, "meetings.agenda_item.created", item,
           {"meeting_id": meeting.id, "title": item.title, "duration": item.duration, "ref": item.ref})
    queue_agenda_changed(session, meeting)
    return item


def update_agenda_item(session: Session, actor: Any, item: AgendaItem, **changes: Any) -> AgendaItem:
    """Title, duration, ref; the current item too (the chair may give it more time)."""
    meeting = item.meeting
    require(can_run_meeting(actor, meeting), actor)
    unknown = set(changes) - {"title", "duration", "ref"}
    if unknown:
        raise InvalidInput(_("Campi sconosciuti."), fields={name: ["unknown"] for name in unknown})
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    cleaners = {
        "title": lambda v: _clean_text(v, "title", MAX_ITEM_TITLE, required=True),
        "duration": clean_duration,
        "ref": clean_ref,
    }
    cleaned = {name: cleaners[name](value) for name, value in changes.items()}
    changed = {name: value for name, value in cleaned.items() if getattr(item, name) != value}
    if not changed:
        return item
    for name, value in changed.items():
        setattr(item, name, value)
    session.flush()
    record(session, actor, "meetings.agenda_item.updated", item, {"meeting_id": meeting.id, **changed})
    queue_agenda_changed(session, meeting)
    if item.id == meeting.current_item_id:
        queue_current_item_changed(session, meeting)  # the countdown depends on the duration
    return item


def delete_agenda_item(session: Session, actor: Any, item: AgendaItem) -> None:
    meeting = item.meeting
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    if meeting.current_item_id == item.id:
        raise Conflict(_("Il punto in corso non si può eliminare: scegli prima un altro punto."), code="item_is_current")
    record(session, actor, "meetings.agenda_item.deleted", item, {"meeting_id": meeting.id, "title": item.title})
    session.delete(item)
    session.flush()
    _renumber(_items(session, meeting))
    queue_agenda_changed(session, meeting)


def reorder_agenda(session: Session, actor: Any, meeting: Meeting, item_ids: Any) -> list[AgendaItem]:
    """New order given as the full list of item ids, each exactly once (a stale list is refused)."""
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_not_closed(meeting)
    items = _items(session, meeting)
    by_id = {item.id: item for item in items}
    if (not isinstance(item_ids, list) or not all(is_int(i) for i in item_ids)
            or len(item_ids) != len(set(item_ids)) or set(item_ids) != set(by_id)):
        raise InvalidInput(
            _("Indica tutti i punti dell'ordine del giorno, ciascuno una volta: l'elenco potrebbe essere cambiato, ricarica."),
            fields={"item_ids": ["must_list_every_item_once"]},
        )
    ordered = [by_id[i] for i in item_ids]
    if ordered == items:
        return items
    _renumber(ordered)
    session.flush()
    record(session, actor, "meetings.agenda.reordered", meeting, {"item_ids": list(item_ids)})
    queue_agenda_changed(session, meeting)
    return ordered


def set_current_item(session: Session, actor: Any, meeting: Meeting, item_id: int | None) -> Meeting:
    """Make an item current (its countdown starts now, again if it was current before) or none."""
    require(can_run_meeting(actor, meeting), actor)
    lock_meeting(session, meeting)
    require_open(meeting)
    item = get_agenda_item(session, item_id, meeting) if item_id is not None else None
    meeting.current_item_id = item.id if item else None
    if item is not None:
        item.started_at = utcnow()
    session.flush()
    record(session, actor, "meetings.meeting.current_item_set", meeting,
           {"item_id": meeting.current_item_id, "title": item.title if item else None})
    queue_current_item_changed(session, meeting)
    return meeting
