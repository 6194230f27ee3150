"""Hostile input on the live channel (issue 10): every /live Socket.IO event, fuzzed.

The events are discovered from the Socket.IO server's handlers for "/live", so an event added later is
fuzzed too. Each one receives, from a delegate and from the chair on the demo table, a fixed corpus of
the cases the issue names (non-objects, wrong types, 100k-character strings, 2**31 / 2**63 / -1, ids
of objects of other meetings, unknown keys, extra arguments) and hypothesis-generated payloads.
For every single call:
- an ack arrives, and it is an object with a boolean `ok`;
- a refusal carries `error.code` and `error.message` as non-empty strings, and is never
  `internal_error` (the handler raised something else than a DomainError: a 500 in disguise);
- a refusal changes nothing: the audit chain (which records every write), the ballots and the live
  state of the meetings (speakers, presence, current item, polls) are as before the call;
- a payload naming an agenda item, a speaker request or a town-meeting participant of another
  meeting than its `meeting_id` is refused (one meeting's ids never act on another);
- the connection survives.
After the fuzz the same connection, and a new one, can still join the meeting.

Each check holds for one call whatever state earlier calls left (the chair's valid calls do change the
meeting), so the order of cases cannot make the test flaky. Generation is derandomized (reproducible),
and failures are collected rather than raised, so one run lists every failing event.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable

import hypothesis
import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.realtime import NAMESPACE
from app.extensions import socketio
from app.meetings import speakers
from app.meetings.models import AgendaItem, Attendance, Meeting, SpeakerRequest
from app.meetings.services import open_meeting
from app.pact.models import Pact
from app.process.demo import DEMO_PASSWORD
from app.proposals.models import Proposal
from app.votes.models import Ballot, Poll, PollOption, VoteRecord
from app.votes.services import create_poll
from tests.factories import count_rows, socket_client, token_for
from tests.meetings.factories import make_meeting, make_participant
from tests.security.fuzzing import fuzz_settings
from tests.security.socket_payloads import KnownIds, event_arguments, fixed_cases

#: hypothesis cases per event and identity, on top of the fixed corpus
MAX_EXAMPLES = 12
KNOWN_EVENTS = {
    "join_meeting", "resync", "request_to_speak", "withdraw_request", "check_in", "set_current_item",
    "give_floor", "end_speech", "close_speakers", "open_speakers", "subscribe", "unsubscribe",
    "cast_ballot", "watch_poll",
}
#: Socket.IO's connection lifecycle, not events a client sends
LIFECYCLE_EVENTS = {"connect", "disconnect"}
#: events that only read: they must change nothing even when they succeed
READ_ONLY_EVENTS = {"join_meeting", "resync", "subscribe", "unsubscribe"}
DEMO_ACCOUNTS = {"member": "delegate:cna", "chair": "chair"}
MAX_ID = 2**31 - 1

SETTINGS = fuzz_settings(MAX_EXAMPLES)


def live_events() -> list[str]:
    """Every event the /live namespace handles, as registered on the running Socket.IO server."""
    handlers = socketio.server.handlers.get(NAMESPACE, {})
    return sorted(set(handlers) - LIFECYCLE_EVENTS)


# ---- the world: the demo table, its first meeting open, and a second open meeting ---------------

@dataclass(frozen=True)
class LiveWorld:
    ids: KnownIds
    meeting_id: int
    #: town-meeting participant → the only meeting they may see
    participants: dict[int, int]


def _all_ids(session: Any, column: Any) -> list[int]:
    return list(session.scalars(sa.select(column).order_by(column)))


def build_world(session: Any, demo: dict) -> LiveWorld:
    """The demo's first meeting opened, one delegate speaking and two waiting (one is the fuzzing
    delegate), and another open meeting with its own items, speaker requests (one of them by the fuzzing
    delegate) and a draft poll."""
    users, chair = demo["users"], demo["users"]["chair"]
    meeting, town = demo["first_meeting"], demo["town_meeting"]
    open_meeting(session, chair, meeting)
    speaking = speakers.request_to_speak(session, users["delegate:legacoop"], meeting)
    speakers.give_floor(session, chair, speaking)
    waiting = speakers.request_to_speak(session, users["delegate:ascom"], meeting)
    speakers.request_to_speak(session, users["delegate:cna"], meeting)
    other = make_meeting(session, chair, title="Secondo incontro", status="open", items=("Punto A", "Punto B"))
    speakers.request_to_speak(session, users["delegate:cgil"], other)
    speakers.request_to_speak(session, users["delegate:cna"], other)
    create_poll(session, chair, title="Bozza dell'altro incontro", kind="yesno", meeting_id=other.id)
    participant, _code = make_participant(session, town, chair)
    session.commit()
    cafe = session.scalar(sa.select(Poll).where(Poll.state == "open").order_by(Poll.id))
    proposal_id = session.scalar(sa.select(sa.func.min(Proposal.id)))
    topics = [f"proposal:{i}" for i in _all_ids(session, Proposal.id)[:3]]
    topics += [f"pact:{i}" for i in _all_ids(session, Pact.id)] + [f"poll:{cafe.id}"]
    ids = KnownIds(
        meetings=[meeting.id, town.id, other.id],
        items=_all_ids(session, AgendaItem.id),
        speakers=_all_ids(session, SpeakerRequest.id),
        users=[users["delegate:cna"].id, chair.id, users["delegate:ascom"].id, participant.id],
        polls=_all_ids(session, Poll.id),
        options=_all_ids(session, PollOption.id),
        topics=topics,
        defaults={
            "meeting_id": meeting.id, "item_id": meeting.items[1].id, "speaker_id": waiting.id,
            "user_id": users["delegate:ascom"].id, "present": True, "since": 0, "kind": "contribution",
            "topic": f"proposal:{proposal_id}", "poll_id": cafe.id, "choice": cafe.options[0].id,
        },
    )
    return LiveWorld(ids=ids, meeting_id=meeting.id, participants={participant.id: town.id})


# ---- what one call must satisfy ----------------------------------------------------------------

def state_fingerprint(session: Any) -> tuple:
    """Everything a live event may change, read from the database (not the session's cache)."""
    def rows(*columns: Any) -> tuple:
        return tuple(session.execute(sa.select(*columns).order_by(*columns)).all())

    return (
        count_rows(session, AuditEntry), count_rows(session, Ballot), count_rows(session, VoteRecord),
        rows(SpeakerRequest.id, SpeakerRequest.state),
        rows(Attendance.meeting_id, Attendance.user_id, Attendance.present),
        rows(Meeting.id, Meeting.status, Meeting.current_item_id, Meeting.speakers_open),
        rows(Poll.id, Poll.state),
    )


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def foreign_reference(session: Any, world: LiveWorld, args: tuple) -> str | None:
    """Why the call names an object of another meeting than its `meeting_id`, or None."""
    payload = args[0] if len(args) == 1 else None
    if not isinstance(payload, dict) or not is_id(payload.get("meeting_id")):
        return None
    meeting_id = payload["meeting_id"]
    for key, model in (("item_id", AgendaItem), ("speaker_id", SpeakerRequest)):
        row = session.get(model, payload[key]) if is_id(payload.get(key)) else None
        if row is not None and row.meeting_id != meeting_id:
            return f"{key}={row.id} belongs to meeting {row.meeting_id}, not {meeting_id}"
    user_id = payload.get("user_id")
    own_meeting = world.participants.get(user_id) if is_id(user_id) else None
    if own_meeting is not None and own_meeting != meeting_id:
        return f"user_id={user_id} is a participant of meeting {own_meeting} only"
    return None


def ack_problems(ack: Any) -> list[str]:
    """What is wrong with the shape of an ack (interface.md: `{"ok": true, ...}` or a clear error)."""
    if ack is None:
        return ["no ack"]
    if not isinstance(ack, dict):
        return [f"ack is not an object: {type(ack).__name__}"]
    if not isinstance(ack.get("ok"), bool):
        return ["ack without a boolean `ok`"]
    if ack["ok"]:
        return []
    error = ack.get("error")
    if not isinstance(error, dict):
        return ["refusal without an `error` object"]
    problems = [f"`error.{key}` missing or empty" for key in ("code", "message")
                if not (isinstance(error.get(key), str) and error[key])]
    if error.get("code") == "internal_error":
        problems.append("internal_error (the handler raised)")
    return problems


def outcome_of(ack: Any) -> str:
    if not isinstance(ack, dict):
        return "no ack"
    if ack.get("ok") is True:
        return "ok"
    error = ack.get("error")
    return str(error.get("code")) if isinstance(error, dict) else "malformed"


def shorten(value: Any, limit: int = 240) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


class LiveCaller:
    """Sends events as one identity on one connection, checks every ack, and collects failures."""

    def __init__(self, connect: Callable[[], Any], session: Any, world: LiveWorld):
        self.connect = connect
        self.session = session
        self.world = world
        self.sio = connect()
        self.failures: list[str] = []
        self.calls = 0
        #: event → ack outcome ("ok" or the error code) → calls
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)

    def call(self, event: str, args: tuple) -> Any:
        return self.sio.emit(event, *args, namespace=NAMESPACE, callback=True)

    def check(self, event: str, args: tuple) -> None:
        self.calls += 1
        foreign = foreign_reference(self.session, self.world, args)
        before = state_fingerprint(self.session)
        try:
            ack = self.call(event, args)
        except Exception as exc:  # noqa: BLE001 - reported with the payload
            ack, problems = None, [f"emit raised {exc!r}"]
        else:
            problems = ack_problems(ack)
        changed = state_fingerprint(self.session) != before
        refused = not (isinstance(ack, dict) and ack.get("ok") is True)
        if changed and (refused or event in READ_ONLY_EVENTS):
            problems.append("refused but changed the database" if refused else "a read-only event wrote")
        if foreign and not refused:
            problems.append(f"accepted an id of another meeting: {foreign}")
        if not self.sio.is_connected(NAMESPACE):
            problems.append("the connection was closed")
            self.sio = self.connect()
        self.sio.get_received(NAMESPACE)  # drop the room's events: only acks matter here
        self.outcomes[event][outcome_of(ack)] += 1
        if problems:
            self.failures.append(f"{event} {shorten(args)} -> {shorten(ack)}: {'; '.join(problems)}")


def fuzz_event(caller: LiveCaller, event: str, settings: hypothesis.settings = SETTINGS) -> None:
    for args in fixed_cases(event, caller.world.ids):
        caller.check(event, args)

    @settings
    @hypothesis.given(args=event_arguments(event, caller.world.ids))
    def run(args: tuple) -> None:
        caller.check(event, args)

    run()


def join(sio: Any, meeting_id: int) -> Any:
    return sio.emit("join_meeting", {"meeting_id": meeting_id}, namespace=NAMESPACE, callback=True)


# ---- tests --------------------------------------------------------------------------------------

def test_the_fuzz_covers_every_live_event(app):
    events = live_events()
    assert events, "no /live handler is registered on the Socket.IO server"
    assert KNOWN_EVENTS <= set(events), f"missing from the server: {sorted(KNOWN_EVENTS - set(events))}"


@pytest.mark.parametrize("identity", sorted(DEMO_ACCOUNTS))
def test_every_live_event_refuses_hostile_payloads_cleanly(identity, app, client, session, demo):
    world = build_world(session, demo)
    token = token_for(client, demo["users"][DEMO_ACCOUNTS[identity]], DEMO_PASSWORD)

    def connect() -> Any:
        sio = socket_client(app, token=token)
        assert sio.is_connected(NAMESPACE), "the demo account could not connect"
        return sio

    caller = LiveCaller(connect, session, world)
    events = live_events()
    for event in events:
        fuzz_event(caller, event)

    assert not caller.failures, (
        f"{len(caller.failures)} of {caller.calls} calls as {identity} broke the contract:\n"
        + "\n".join(caller.failures[:60])
    )
    # the fuzz is only worth something if well-typed payloads got past validation into the services
    shallow = [e for e in sorted(KNOWN_EVENTS) if set(caller.outcomes[e]) <= {"invalid_input"}]
    assert not shallow, f"as {identity}, only invalid_input for: {shallow}"
    # the server still serves, on the fuzzed connection and on a new one
    for sio in (caller.sio, connect()):
        ack = join(sio, world.meeting_id)
        assert ack["ok"] is True, ack
        assert ack["snapshot"]["id"] == world.meeting_id
