"""Presence: self check-in, check-in by the chair, organizations present, counts and quorum."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.meetings.presence import (
    present_organization_ids, present_user_ids, presence_counts, presence_state, quorum_state, set_presence,
)
from tests.factories import make_org
from tests.meetings.factories import audit_actions, audit_count, make_chair, make_meeting, make_participant, person


def test_self_check_in_makes_the_organization_present(session):
    meeting = make_meeting(session)
    org = make_org(session, name="CNA di prova")
    delegate = person(session, "member", org, name="Delegata")
    substitute = person(session, "member", org, name="Sostituto")
    assert set_presence(session, delegate, meeting) is True
    set_presence(session, substitute, meeting)
    session.commit()
    state = presence_state(session, meeting)
    assert [u["name"] for u in state["users"]] == ["Delegata", "Sostituto"]
    assert [o["id"] for o in state["organizations"]] == [org.id]
    assert present_organization_ids(session, meeting.id) == {org.id}
    assert audit_actions(session)[-1] == "meetings.attendance.checked_in"


def test_an_organization_stays_present_while_any_representative_is(session):
    meeting = make_meeting(session)
    org = make_org(session, name="Legacoop di prova")
    a, b = person(session, "member", org), person(session, "member", org)
    set_presence(session, a, meeting)
    set_presence(session, b, meeting)
    set_presence(session, a, meeting, present=False)
    assert present_organization_ids(session, meeting.id) == {org.id}
    set_presence(session, b, meeting, present=False)
    session.commit()
    assert present_organization_ids(session, meeting.id) == set()
    assert audit_actions(session)[-1] == "meetings.attendance.checked_out"


def test_groups_are_counted_apart_and_participants_are_not_listed(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    participant, _code = make_participant(session, meeting, chair)
    for user in (chair, person(session, "observer"), person(session, "member"), participant):
        set_presence(session, user, meeting)
    session.commit()
    assert presence_counts(session, meeting.id) == {"members": 1, "chair": 1, "observers": 1, "participants": 1, "total": 4}
    state = presence_state(session, meeting)
    assert participant.id not in [u["user_id"] for u in state["users"]]
    assert len(state["users"]) == 3
    assert participant.id in present_user_ids(session, meeting.id)


def test_checking_in_twice_changes_nothing(session):
    meeting = make_meeting(session)
    member, absent = person(session, "member"), person(session, "member")
    set_presence(session, member, meeting)
    before = audit_count(session)
    assert set_presence(session, member, meeting) is False
    assert set_presence(session, absent, meeting, present=False) is False
    assert audit_count(session) == before


def test_the_chair_checks_anyone_in_and_out(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    member = person(session, "member")
    set_presence(session, chair, meeting, user_id=member.id)
    session.commit()
    assert member.id in present_user_ids(session, meeting.id)
    set_presence(session, chair, meeting, user_id=member.id, present=False)
    session.commit()
    assert member.id not in present_user_ids(session, meeting.id)
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.data == {"meeting_id": meeting.id, "user_id": member.id, "by_chair": True}


def test_members_cannot_check_in_others(session):
    meeting = make_meeting(session)
    member, other = person(session, "member"), person(session, "member")
    with pytest.raises(Forbidden):
        set_presence(session, member, meeting, user_id=other.id)
    session.rollback()
    assert present_user_ids(session, meeting.id) == set()


def test_refusals(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    other_town = make_meeting(session, chair, title="Altro town meeting")
    outsider, _code = make_participant(session, other_town, chair)
    with pytest.raises(NotFound):
        set_presence(session, chair, meeting, user_id=outsider.id)  # not a participant of this meeting
    with pytest.raises(NotFound):
        set_presence(session, chair, meeting, user_id=987654)
    with pytest.raises(Forbidden):
        set_presence(session, outsider, meeting)
    with pytest.raises(InvalidInput):
        set_presence(session, chair, meeting, present="yes")
    closed = make_meeting(session, chair, status="closed")
    with pytest.raises(Conflict) as exc:
        set_presence(session, chair, closed)
    assert exc.value.code == "meeting_closed"
    session.rollback()
    assert present_user_ids(session, meeting.id) == set()


def test_quorum_counts_adhered_organizations_present(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    adhered = [make_org(session, name=f"Aderente {i}") for i in range(4)]
    outside = make_org(session, name="Non aderente", adhered=False)
    for org in adhered[:2] + [outside]:
        set_presence(session, person(session, "member", org), meeting)
    session.commit()
    q = quorum_state(session, meeting)
    assert (q["organizations_entitled"], q["organizations_present"], q["majority"]) == (4, 2, 3)
    assert q["majority_present"] is False
    set_presence(session, person(session, "member", adhered[2]), meeting)
    assert quorum_state(session, meeting)["majority_present"] is True


def test_quorum_counts_town_meeting_participants(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    first, _ = make_participant(session, meeting, chair)
    make_participant(session, meeting, chair)
    set_presence(session, first, meeting)
    q = quorum_state(session, meeting)
    assert (q["participants_entitled"], q["participants_present"]) == (2, 1)
