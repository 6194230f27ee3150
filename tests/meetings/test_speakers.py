"""List of speakers: order by kind, the floor, measured time, closed list, totals for fairness."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.meetings import services, speakers
from app.meetings.models import SpeakerRequest
from tests.factories import make_org
from tests.meetings.factories import audit_actions, audit_count, make_chair, make_meeting, make_participant, person


@pytest.fixture
def room(session):
    chair = make_chair(session, name="Presidenza")
    meeting = make_meeting(session, chair, status="open")
    return chair, meeting


def names(session, meeting):
    return [(s["name"], s["position"]) for s in speakers.speakers_list(session, meeting)]


def test_contributions_are_heard_in_order_of_request(session, room):
    chair, meeting = room
    for name in ("Anna", "Bruno", "Carla"):
        speakers.request_to_speak(session, person(session, "member", name=name), meeting)
    session.commit()
    assert names(session, meeting) == [("Anna", 1), ("Bruno", 2), ("Carla", 3)]
    assert audit_actions(session)[-1] == "meetings.speaker.requested"


def test_points_of_order_first_then_replies_then_contributions(session, room):
    chair, meeting = room
    anna, bruno, carla, dario, elena = (person(session, "member", name=n) for n in ("Anna", "Bruno", "Carla", "Dario", "Elena"))
    first = speakers.request_to_speak(session, anna, meeting)
    speakers.give_floor(session, chair, first)
    speakers.request_to_speak(session, bruno, meeting, "contribution")
    speakers.request_to_speak(session, carla, meeting, "reply")
    speakers.request_to_speak(session, dario, meeting, "point_of_order")
    speakers.request_to_speak(session, elena, meeting, "reply")
    session.commit()
    assert names(session, meeting) == [("Anna", 0), ("Dario", 1), ("Carla", 2), ("Elena", 3), ("Bruno", 4)]


def test_one_place_in_the_list_per_person(session, room):
    _chair, meeting = room
    member = person(session, "member")
    request = speakers.request_to_speak(session, member, meeting)
    with pytest.raises(Conflict) as exc:
        speakers.request_to_speak(session, member, meeting, "point_of_order")
    assert exc.value.code == "already_in_list"
    speakers.withdraw_speaker_request(session, member, request)
    speakers.request_to_speak(session, member, meeting, "point_of_order")
    session.commit()
    assert [s["kind"] for s in speakers.speakers_list(session, meeting)] == ["point_of_order"]


def test_the_database_also_refuses_a_second_waiting_request(session, room):
    _chair, meeting = room
    member = person(session, "member")
    speakers.request_to_speak(session, member, meeting)
    session.add(SpeakerRequest(meeting_id=meeting.id, user_id=member.id, kind="reply", state="waiting"))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_a_closed_list_refuses_requests_with_a_clear_error(session, room):
    chair, meeting = room
    member = person(session, "member")
    speakers.set_speakers_open(session, chair, meeting, False)
    session.commit()
    before = audit_count(session)
    with pytest.raises(Conflict) as exc:
        speakers.request_to_speak(session, member, meeting)
    assert exc.value.code == "speakers_closed" and "chiusa" in exc.value.message
    session.rollback()
    assert audit_count(session) == before
    # the chair may still put someone on the list, and reopen it
    speakers.request_to_speak(session, chair, meeting, user_id=member.id)
    speakers.set_speakers_open(session, chair, meeting, True)
    speakers.request_to_speak(session, person(session, "member"), meeting)
    session.commit()
    assert len(speakers.speakers_list(session, meeting)) == 2
    assert {"meetings.speakers.closed", "meetings.speakers.opened"} <= set(audit_actions(session))


def test_requests_need_an_open_meeting_a_speaking_role_and_a_known_kind(session):
    chair = make_chair(session)
    planned = make_meeting(session, chair)
    member = person(session, "member")
    with pytest.raises(Conflict) as exc:
        speakers.request_to_speak(session, member, planned)
    assert exc.value.code == "meeting_not_open"
    meeting = make_meeting(session, chair, status="open")
    with pytest.raises(Forbidden):
        speakers.request_to_speak(session, person(session, "observer"), meeting)
    with pytest.raises(InvalidInput):
        speakers.request_to_speak(session, member, meeting, "filibuster")
    with pytest.raises(Forbidden):
        speakers.request_to_speak(session, member, meeting, user_id=person(session, "member").id)
    with pytest.raises(NotFound):
        speakers.request_to_speak(session, chair, meeting, user_id=person(session, "observer").id)
    session.rollback()
    assert speakers.speakers_list(session, meeting) == []


def test_town_meeting_participants_may_speak(session, room):
    chair, meeting = room
    participant, _code = make_participant(session, meeting, chair)
    speakers.request_to_speak(session, participant, meeting)
    session.commit()
    assert speakers.speakers_list(session, meeting)[0]["name"] == "Partecipante 1"


def test_giving_the_floor_ends_the_current_speech(session, room):
    chair, meeting = room
    a = speakers.request_to_speak(session, person(session, "member"), meeting)
    b = speakers.request_to_speak(session, person(session, "member"), meeting)
    speakers.give_floor(session, chair, a)
    speakers.give_floor(session, chair, b)
    session.commit()
    assert (a.state, b.state) == ("done", "speaking")
    assert a.ended_at is not None and a.started_at <= a.ended_at <= b.started_at
    assert speakers.current_speech(session, meeting).id == b.id
    speakers.end_speech(session, chair, meeting)
    session.commit()
    assert b.state == "done" and speakers.current_speech(session, meeting) is None
    assert audit_actions(session)[-1] == "meetings.speaker.ended"


def test_stale_actions_are_refused(session, room):
    chair, meeting = room
    member = person(session, "member")
    request = speakers.request_to_speak(session, member, meeting)
    speakers.withdraw_speaker_request(session, member, request)
    session.commit()
    for attempt in (
        lambda: speakers.give_floor(session, chair, request),
        lambda: speakers.withdraw_speaker_request(session, member, request),
        lambda: speakers.end_speech(session, chair, meeting, request),
        lambda: speakers.end_speech(session, chair, meeting),
    ):
        with pytest.raises(Conflict) as refused:  # a state conflict (409), named
            attempt()
        assert refused.value.code in ("not_waiting", "not_speaking")
    assert request.state == "withdrawn"


def test_only_the_author_or_the_chair_withdraws_and_only_the_chair_gives_the_floor(session, room):
    chair, meeting = room
    member, other = person(session, "member"), person(session, "member")
    request = speakers.request_to_speak(session, member, meeting)
    with pytest.raises(Forbidden):
        speakers.withdraw_speaker_request(session, other, request)
    with pytest.raises(Forbidden):
        speakers.give_floor(session, member, request)
    with pytest.raises(Forbidden):
        speakers.end_speech(session, member, meeting)
    with pytest.raises(Forbidden):
        speakers.set_speakers_open(session, member, meeting, False)
    speakers.withdraw_speaker_request(session, chair, request)
    session.commit()
    assert request.state == "withdrawn"


def test_another_meetings_request_is_not_found(session, room):
    chair, meeting = room
    other = make_meeting(session, chair, status="open")
    request = speakers.request_to_speak(session, person(session, "member"), other)
    session.commit()
    with pytest.raises(NotFound):
        speakers.get_speaker_request(session, meeting, request.id)


def _speech(session, meeting, user, seconds):
    """A finished speech of a known length (times set directly: no sleeping in tests)."""
    start = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.timezone.utc)
    session.add(SpeakerRequest(meeting_id=meeting.id, user_id=user.id, organization_id=user.organization_id,
                               kind="contribution", state="done", requested_at=start, started_at=start,
                               ended_at=start + dt.timedelta(seconds=seconds)))
    session.flush()


def test_totals_per_speaker_and_organization(session, room):
    _chair, meeting = room
    cna = make_org(session, name="CNA di prova", short_name="CNA")
    cgil = make_org(session, name="CGIL di prova")
    delegate = person(session, "member", cna, name="Delegata CNA")
    substitute = person(session, "member", cna, name="Sostituto CNA")
    unionist = person(session, "member", cgil, name="Delegato CGIL")
    _speech(session, meeting, delegate, 60)
    _speech(session, meeting, delegate, 30)
    _speech(session, meeting, substitute, 45)
    _speech(session, meeting, unionist, 200)
    speakers.request_to_speak(session, person(session, "member"), meeting)  # waiting: not counted
    totals = speakers.speaker_totals(session, meeting)
    assert [(p["name"], p["count"], p["seconds"]) for p in totals["people"]] == [
        ("Delegato CGIL", 1, 200), ("Delegata CNA", 2, 90), ("Sostituto CNA", 1, 45)]
    assert [(o["name"], o["count"], o["seconds"]) for o in totals["organizations"]] == [
        ("CGIL di prova", 1, 200), ("CNA", 3, 135)]


def test_speaking_time_is_measured_by_the_server(session, room):
    chair, meeting = room
    request = speakers.request_to_speak(session, person(session, "member"), meeting)
    speakers.give_floor(session, chair, request)
    speakers.end_speech(session, chair, meeting, request)
    session.commit()
    described = speakers.describe_request(session, meeting, request)
    assert described["seconds"] == speakers.speech_seconds(request) >= 0
    assert described["position"] is None and described["state"] == "done"


def test_closing_the_meeting_winds_up_the_list(session, room):
    chair, meeting = room
    a = speakers.request_to_speak(session, person(session, "member"), meeting)
    b = speakers.request_to_speak(session, person(session, "member"), meeting)
    speakers.give_floor(session, chair, a)
    services.close_meeting(session, chair, meeting)
    session.commit()
    assert (a.state, b.state, meeting.speakers_open) == ("done", "withdrawn", False)
    from app.audit.models import AuditEntry

    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.data["ended_speaker_id"] == a.id and entry.data["lapsed_requests"] == 1
