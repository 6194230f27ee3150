"""Meetings and agenda services: rules, refusals (which change nothing) and audit entries."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting
from tests.meetings.factories import WHEN, audit_actions, audit_count, make_chair, make_meeting, person


def titles(session, meeting):
    return [item["title"] for item in services.agenda_list(session, meeting)]


def test_chair_creates_a_planned_meeting(session):
    chair = make_chair(session)
    meeting = services.create_meeting(session, chair, title="  Secondo incontro ", starts_at=WHEN, place="Imola")
    session.commit()
    assert (meeting.title, meeting.status, meeting.place) == ("Secondo incontro", "planned", "Imola")
    assert audit_actions(session)[-1] == "meetings.meeting.created"


@pytest.mark.parametrize("role, error", [("member", Forbidden), ("observer", Forbidden), (None, Unauthorized)])
def test_only_the_chair_creates_meetings(session, role, error):
    from app.auth.loaders import Anonymous

    actor = person(session, role) if role else Anonymous()
    before = audit_count(session)
    with pytest.raises(error):
        services.create_meeting(session, actor, title="X", starts_at=WHEN)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    assert audit_count(session) == before


@pytest.mark.parametrize("changes, field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"starts_at": dt.datetime(2030, 1, 1, 10, 0)}, "starts_at"),  # naive: which time zone?
    ({"speaking_limit": 5}, "speaking_limit"),
    ({"speaking_limit": True}, "speaking_limit"),
])
def test_create_validates(session, changes, field):
    chair = make_chair(session)
    kwargs = {"title": "Incontro", "starts_at": WHEN, **changes}
    with pytest.raises(InvalidInput) as exc:
        services.create_meeting(session, chair, **kwargs)
    assert field in exc.value.fields


def test_update_changes_only_given_fields_and_keeps_the_place_out_of_the_public_log(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    services.update_meeting(session, chair, meeting, place="https://meet.example/segreto", speaking_limit=120)
    session.commit()
    from app.audit.models import AuditEntry

    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "meetings.meeting.updated"
    assert entry.data["fields"] == ["place", "speaking_limit"]
    assert "segreto" not in str(entry.data)
    assert meeting.speaking_limit == 120 and meeting.title == "Incontro di prova"


def test_update_without_change_writes_nothing(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    before = audit_count(session)
    services.update_meeting(session, chair, meeting, title=meeting.title)
    assert audit_count(session) == before


def test_update_refuses_unknown_fields_and_non_chairs(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    with pytest.raises(InvalidInput):
        services.update_meeting(session, chair, meeting, status="open")
    with pytest.raises(Forbidden):
        services.update_meeting(session, person(session, "member"), meeting, title="Altro")


def test_status_transitions_are_audited(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    services.open_meeting(session, chair, meeting)
    assert meeting.status == "open" and meeting.opened_at is not None
    before = audit_count(session)
    services.open_meeting(session, chair, meeting)  # a double click changes nothing
    assert audit_count(session) == before
    services.close_meeting(session, chair, meeting)
    session.commit()
    assert meeting.status == "closed" and meeting.closed_at is not None
    assert audit_actions(session)[-2:] == ["meetings.meeting.opened", "meetings.meeting.closed"]
    with pytest.raises(Conflict) as exc:
        services.open_meeting(session, chair, meeting)
    assert exc.value.code == "invalid_transition"


def test_a_planned_meeting_cannot_be_closed(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    with pytest.raises(Conflict) as exc:
        services.close_meeting(session, chair, meeting)
    assert exc.value.code == "invalid_transition"
    assert meeting.status == "planned"


def test_a_closed_meeting_is_frozen(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="closed")
    item = meeting.items[0]
    for attempt in (
        lambda: services.update_meeting(session, chair, meeting, title="Nuovo"),
        lambda: services.add_agenda_item(session, chair, meeting, title="Tardi"),
        lambda: services.update_agenda_item(session, chair, item, title="Tardi"),
        lambda: services.delete_agenda_item(session, chair, item),
        lambda: services.reorder_agenda(session, chair, meeting, [i.id for i in reversed(meeting.items)]),
    ):
        with pytest.raises(Conflict) as exc:
            attempt()
        assert exc.value.code == "meeting_closed"


def test_agenda_items_are_appended_in_order(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    item = services.add_agenda_item(session, chair, meeting, title="Varie", duration=15, ref="proposal:3")
    session.commit()
    agenda = services.agenda_list(session, meeting)
    assert [i["position"] for i in agenda] == [1, 2, 3]
    assert agenda[-1] == {"id": item.id, "title": "Varie", "duration": 15, "position": 3, "ref": "proposal:3",
                          "started_at": None}
    assert audit_actions(session)[-1] == "meetings.agenda_item.created"


@pytest.mark.parametrize("ref", ["clause:7", "poll:2", "document:1", "proposal:12345"])
def test_valid_refs(session, ref):
    chair = make_chair(session)
    item = services.add_agenda_item(session, chair, make_meeting(session, chair), title="Punto", ref=ref)
    assert item.ref == ref


@pytest.mark.parametrize("ref", ["proposal", "proposal:0", "proposal:3x", "vote:1", "proposal:-1", 3, "clause: 7"])
def test_invalid_refs(session, ref):
    chair = make_chair(session)
    with pytest.raises(InvalidInput) as exc:
        services.add_agenda_item(session, chair, make_meeting(session, chair), title="Punto", ref=ref)
    assert "ref" in exc.value.fields


@pytest.mark.parametrize("duration", [0, 601, "10", 2.5])
def test_invalid_durations(session, duration):
    chair = make_chair(session)
    with pytest.raises(InvalidInput):
        services.add_agenda_item(session, chair, make_meeting(session, chair), title="Punto", duration=duration)


def test_only_the_chair_edits_the_agenda(session):
    meeting = make_meeting(session)
    member = person(session, "member")
    with pytest.raises(Forbidden):
        services.add_agenda_item(session, member, meeting, title="Mio punto")
    with pytest.raises(Forbidden):
        services.update_agenda_item(session, member, meeting.items[0], title="Cambiato")
    with pytest.raises(Forbidden):
        services.delete_agenda_item(session, member, meeting.items[0])
    with pytest.raises(Forbidden):
        services.reorder_agenda(session, member, meeting, [i.id for i in reversed(meeting.items)])
    session.rollback()
    assert titles(session, meeting) == ["Primo punto", "Secondo punto"]


def test_update_and_delete_items(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, items=("A", "B", "C"))
    a, b, c = meeting.items
    services.update_agenda_item(session, chair, b, title="B2", duration=None, ref="clause:7")
    services.delete_agenda_item(session, chair, a)
    session.commit()
    assert [(i["title"], i["position"], i["duration"], i["ref"]) for i in services.agenda_list(session, meeting)] == [
        ("B2", 1, None, "clause:7"), ("C", 2, 10, None)]
    assert "meetings.agenda_item.deleted" in audit_actions(session)


def test_the_current_item_cannot_be_deleted_but_can_be_edited(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    item = meeting.items[0]
    services.set_current_item(session, chair, meeting, item.id)
    with pytest.raises(Conflict) as exc:
        services.delete_agenda_item(session, chair, item)
    assert exc.value.code == "item_is_current"
    services.update_agenda_item(session, chair, item, duration=45)
    session.commit()
    assert session.get(AgendaItem, item.id).duration == 45


def test_reorder_takes_every_item_once(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, items=("A", "B", "C"))
    a, b, c = (i.id for i in meeting.items)
    services.reorder_agenda(session, chair, meeting, [c, a, b])
    session.commit()
    assert titles(session, meeting) == ["C", "A", "B"]
    assert audit_actions(session)[-1] == "meetings.agenda.reordered"


@pytest.mark.parametrize("shape", ["missing", "duplicate", "foreign", "not_a_list", "strings"])
def test_reorder_refuses_stale_or_malformed_lists(session, shape):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, items=("A", "B", "C"))
    other = make_meeting(session, chair, items=("X",))
    a, b, c = (i.id for i in meeting.items)
    ids = {"missing": [a, b], "duplicate": [a, b, b, c], "foreign": [a, b, other.items[0].id],
           "not_a_list": a, "strings": [str(a), str(b), str(c)]}[shape]
    before = audit_count(session)
    with pytest.raises(InvalidInput):
        services.reorder_agenda(session, chair, meeting, ids)
    session.rollback()
    assert titles(session, meeting) == ["A", "B", "C"] and audit_count(session) == before


def test_current_item_starts_its_countdown(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    first, second = meeting.items
    services.set_current_item(session, chair, meeting, first.id)
    session.commit()
    started = first.started_at
    assert meeting.current_item_id == first.id and started is not None
    services.set_current_item(session, chair, meeting, second.id)
    services.set_current_item(session, chair, meeting, None)
    session.commit()
    assert meeting.current_item_id is None and second.started_at >= started
    assert audit_actions(session).count("meetings.meeting.current_item_set") == 3


def test_current_item_needs_an_open_meeting_its_own_item_and_the_chair(session):
    chair = make_chair(session)
    planned = make_meeting(session, chair)
    with pytest.raises(Conflict) as exc:
        services.set_current_item(session, chair, planned, planned.items[0].id)
    assert exc.value.code == "meeting_not_open"
    meeting = make_meeting(session, chair, status="open")
    with pytest.raises(NotFound):
        services.set_current_item(session, chair, meeting, planned.items[0].id)
    with pytest.raises(NotFound):
        services.set_current_item(session, chair, meeting, "1")
    with pytest.raises(Forbidden):
        services.set_current_item(session, person(session, "member"), meeting, meeting.items[0].id)
    session.rollback()
    assert session.get(Meeting, meeting.id).current_item_id is None


def test_participants_list_only_their_meeting(session):
    from tests.meetings.factories import make_participant

    chair = make_chair(session)
    town = make_meeting(session, chair, title="Town meeting")
    make_meeting(session, chair, title="Tavolo")
    participant, _code = make_participant(session, town, chair)
    assert [m.title for m in services.list_meetings(session, participant)] == ["Town meeting"]
    assert len(services.list_meetings(session, chair)) == 2
