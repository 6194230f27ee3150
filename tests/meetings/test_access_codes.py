"""Town-meeting access codes: shown once, stored hashed, one participant per code, revocable."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from app.meetings import access_codes as codes_service
from app.meetings.access_codes import ALPHABET, create_access_codes, meeting_participant_ids, redeem_access_code
from app.meetings.models import AccessCode
from app.meetings.permissions import can_view_meeting, participant_meeting_ids
from app.meetings.presence import present_user_ids, set_presence
from tests.meetings.factories import (
    api_token, audit_actions, audit_count, log_in, make_chair, make_meeting, make_participant, person,
)
from tests.factories import bearer, csrf_token

CODE = re.compile(rf"^[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}$")


def test_codes_are_typable_unique_and_numbered(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    first = create_access_codes(session, chair, meeting, 30)
    second = create_access_codes(session, chair, meeting, 2)
    session.commit()
    plain = [code for _row, code in first + second]
    assert all(CODE.match(code) for code in plain)
    assert len(set(plain)) == 32
    assert [row.number for row, _code in first + second] == list(range(1, 33))
    assert not set("01ILOUV") & set("".join(plain))


def test_only_a_keyed_hash_is_stored(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    created = create_access_codes(session, chair, meeting, 3)
    session.commit()
    stored = session.execute(sa.text("SELECT * FROM access_codes")).all()
    dump = repr(stored) + repr(session.execute(sa.text("SELECT data FROM audit_entries")).all())
    for _row, code in created:
        assert code not in dump and code.replace("-", "") not in dump
    digests = {row.code_hash for row, _code in created}
    assert len(digests) == 3 and all(len(d) == 64 for d in digests)
    # keyed: a plain SHA-256 of the code is not what is stored
    from app.core.tokens import secret_hash

    assert not digests & {secret_hash(code.replace("-", "")) for _row, code in created}
    assert audit_actions(session)[-1] == "meetings.access_codes.created"


@pytest.mark.parametrize("count", [0, -1, 5001, "10", 2.0, None])
def test_count_is_bounded(session, count):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    with pytest.raises(InvalidInput):
        create_access_codes(session, chair, meeting, count)


def test_only_the_chair_generates_codes_and_not_for_a_closed_meeting(session):
    chair = make_chair(session)
    with pytest.raises(Forbidden):
        create_access_codes(session, person(session, "member"), make_meeting(session, chair), 5)
    with pytest.raises(Conflict):
        create_access_codes(session, chair, make_meeting(session, chair, status="closed"), 5)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(AccessCode.id))) == 0


def test_first_use_creates_the_participant_later_uses_reuse_it(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    [(_row, code)] = create_access_codes(session, chair, meeting, 1)
    session.commit()
    user, access = redeem_access_code(session, code)
    session.commit()
    assert (user.role, user.email, user.name, user.password_hash) == ("participant", None, "Partecipante 1", None)
    assert access.first_used_at is not None
    again, _ = redeem_access_code(session, code.lower().replace("-", " "))  # another phone, typed loosely
    session.commit()
    assert again.id == user.id
    assert session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "participant")) == 1
    assert audit_actions(session).count("meetings.access_code.redeemed") == 1


@pytest.mark.parametrize("typed", ["", "AAAAA-AAAAA", "DEMO-0001", "x" * 200, None, 12345])
def test_unknown_codes_are_refused(session, typed):
    make_meeting(session)
    before = audit_count(session)
    with pytest.raises(Unauthorized) as exc:
        redeem_access_code(session, typed)
    assert exc.value.code == "invalid_code"
    assert audit_count(session) == before


def test_revoked_code_stops_working_and_logs_the_participant_out(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    participant, code = make_participant(session, meeting, chair)
    set_presence(session, participant, meeting)
    session.commit()
    access = session.scalar(sa.select(AccessCode).where(AccessCode.user_id == participant.id))
    codes_service.revoke_access_code(session, chair, access)
    session.commit()
    with pytest.raises(Unauthorized) as exc:
        redeem_access_code(session, code)
    assert exc.value.code == "code_revoked"
    assert session.get(User, participant.id).active is False
    assert participant.id not in present_user_ids(session, meeting.id)
    assert meeting_participant_ids(session, meeting.id) == []
    assert audit_actions(session)[-1] == "meetings.access_code.revoked"
    with pytest.raises(Forbidden):
        codes_service.revoke_access_code(session, person(session, "member"), access)


def test_participants_see_only_their_meeting(session):
    chair = make_chair(session)
    town, other = make_meeting(session, chair, title="Town"), make_meeting(session, chair, title="Tavolo")
    participant, _code = make_participant(session, town, chair)
    assert participant_meeting_ids(participant) == {town.id}
    assert can_view_meeting(participant, town) and not can_view_meeting(participant, other)


def test_meeting_participant_ids_lists_used_codes_only(session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    a, _ = make_participant(session, meeting, chair)
    b, _ = make_participant(session, meeting, chair)
    create_access_codes(session, chair, meeting, 3)  # never used
    other = make_meeting(session, chair)
    make_participant(session, other, chair)
    session.commit()
    assert meeting_participant_ids(session, meeting.id) == sorted([a.id, b.id])


# --- API and pages ----------------------------------------------------------------------------

def test_api_generates_codes_once_and_logs_in_with_them(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    other = make_meeting(session, chair, title="Altro")
    token = api_token(session, chair)
    response = client.post(f"/api/v1/meetings/{meeting.id}/access-codes", json={"count": 3}, headers=bearer(token))
    assert response.status_code == 201
    body = response.get_json()
    assert [c["number"] for c in body["codes"]] == [1, 2, 3]
    code = body["codes"][0]["code"]
    assert body["codes"][0]["join_url"].endswith(f"/join?code={code}")
    listed = client.get(f"/api/v1/meetings/{meeting.id}/access-codes", headers=bearer(token)).get_json()
    assert [c["used"] for c in listed] == [False] * 3 and "code" not in listed[0]

    first = client.post("/api/v1/auth/code", json={"code": code})
    second = client.post("/api/v1/auth/code", json={"code": code.lower()})
    assert first.status_code == second.status_code == 200
    assert first.get_json()["user"]["id"] == second.get_json()["user"]["id"]
    assert first.get_json()["user"]["role"] == "participant" and first.get_json()["meeting_id"] == meeting.id
    participant_token = second.get_json()["token"]
    assert client.get(f"/api/v1/meetings/{meeting.id}", headers=bearer(participant_token)).status_code == 200
    assert client.get(f"/api/v1/meetings/{other.id}", headers=bearer(participant_token)).status_code == 403
    assert [m["id"] for m in client.get("/api/v1/meetings", headers=bearer(participant_token)).get_json()] == [meeting.id]


def test_api_refusals(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    member_token = api_token(session, person(session, "member"))
    chair_token = api_token(session, chair)
    assert client.post(f"/api/v1/meetings/{meeting.id}/access-codes", json={"count": 2},
                       headers=bearer(member_token)).status_code == 403
    assert client.post(f"/api/v1/meetings/{meeting.id}/access-codes", json={"count": 5001},
                       headers=bearer(chair_token)).status_code == 422
    unknown = client.post("/api/v1/auth/code", json={"code": "ZZZZZ-ZZZZZ"})
    assert unknown.status_code == 401 and unknown.get_json()["error"]["code"] == "invalid_code"
    assert client.post("/api/v1/auth/code", json={}).status_code == 422
    participant, code = make_participant(session, meeting, chair)
    access = session.scalar(sa.select(AccessCode).where(AccessCode.user_id == participant.id))
    revoked = client.post(f"/api/v1/access-codes/{access.id}/revoke", headers=bearer(chair_token))
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] is True
    refused = client.post("/api/v1/auth/code", json={"code": code})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "code_revoked"


def test_join_page_logs_in_and_a_second_device_is_the_same_participant(app, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, title="Town meeting di prova")
    [(_row, code)] = create_access_codes(session, chair, meeting, 1)
    session.commit()
    phone, tablet = app.test_client(), app.test_client()
    page = phone.get(f"/join?code={code}").get_data(as_text=True)
    assert "Entra nel town meeting" in page and f'value="{code}"' in page
    ids = []
    for device in (phone, tablet):
        token = csrf_token(device, "/join")
        response = device.post("/join", data={"code": code, "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
        ids.append(device.get("/api/v1/me").get_json()["id"])
        assert "Town meeting di prova" in device.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert ids[0] == ids[1]


def test_join_page_refuses_unknown_codes_clearly(client, session):
    make_meeting(session)
    token = csrf_token(client, "/join")
    response = client.post("/join", data={"code": "NOPE1-NOPE2", "csrf_token": token})
    assert response.status_code == 401
    assert "Codice non riconosciuto" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_cards_page_prints_each_code_once_with_its_qr(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, title="Town meeting")
    log_in(client, chair)
    page = client.get(f"/meetings/{meeting.id}/codes")
    assert page.status_code == 200 and "Genera i cartoncini" in page.get_data(as_text=True)
    token = csrf_token(client, f"/meetings/{meeting.id}/codes")
    response = client.post(f"/meetings/{meeting.id}/codes", data={"count": 3, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    printed = re.findall(r"<strong>([A-Z0-9]{5}-[A-Z0-9]{5})</strong>", html)
    assert len(printed) == 3 and html.count('src="data:image/svg+xml') == 3
    assert "Partecipante 3" in html and "Stampa i cartoncini" in html
    user, _ = redeem_access_code(session, printed[2])
    assert user.name == "Partecipante 3"
    listing = client.get(f"/meetings/{meeting.id}/codes").get_data(as_text=True)
    assert printed[0] not in listing and "non ancora usato" in listing


def test_cards_and_revocation_pages_are_for_the_chair(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    participant, code = make_participant(session, meeting, chair)
    access = session.scalar(sa.select(AccessCode).where(AccessCode.user_id == participant.id))
    log_in(client, person(session, "member"))
    assert client.get(f"/meetings/{meeting.id}/codes").status_code == 403
    token = csrf_token(client, "/meetings")
    assert client.post(f"/meetings/{meeting.id}/codes/{access.id}/revoke", data={"csrf_token": token}).status_code == 403
    log_in(client, chair)
    token = csrf_token(client, f"/meetings/{meeting.id}/codes")
    response = client.post(f"/meetings/{meeting.id}/codes/{access.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(AccessCode, access.id).revoked_at is not None
    other = make_meeting(session, chair)
    assert client.post(f"/meetings/{other.id}/codes/{access.id}/revoke", data={"csrf_token": token}).status_code == 404
