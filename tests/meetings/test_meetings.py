"""The foundation's minimal meetings: list, snapshot (API and page), permissions."""
from __future__ import annotations

from tests.auth.test_api import assert_error
from tests.factories import bearer, login, make_user, token_for


def _first_meeting(demo):
    return demo["first_meeting"]


def test_meetings_list_is_public(client, demo):
    rows = client.get("/api/v1/meetings").get_json()
    first = next(row for row in rows if row["title"] == "Primo incontro del Tavolo di Negoziazione")
    assert first["starts_at"] == "2020-01-15T14:30:00Z"


def test_snapshot_needs_an_account(client, demo, session):
    meeting = _first_meeting(demo)
    assert_error(client.get(f"/api/v1/meetings/{meeting.id}"), 401, "unauthorized")
    token = token_for(client, make_user(session, role="observer"))
    snapshot = client.get(f"/api/v1/meetings/{meeting.id}", headers=bearer(token)).get_json()
    assert snapshot["id"] == meeting.id and snapshot["current_item_id"] is None
    assert [item["position"] for item in snapshot["agenda"]] == [1, 2, 3]
    # the keys interface.md promises (more may be added)
    assert set(snapshot["agenda"][0]) >= {"id", "title", "duration", "position", "ref"}
    assert snapshot["agenda"][1]["title"] == "Adesione al TdN"
    assert {"polls", "presence", "speakers"} <= set(snapshot)


def test_unknown_meeting_404(client, session):
    token = token_for(client, make_user(session, role="observer"))
    assert_error(client.get("/api/v1/meetings/999999", headers=bearer(token)), 404, "meeting_not_found")


def test_meeting_pages(client, demo, session):
    meeting = _first_meeting(demo)
    index = client.get("/meetings")
    assert index.status_code == 200 and "Primo incontro del Tavolo di Negoziazione" in index.get_data(as_text=True)
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(client, make_user(session, role="member"))
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Sostegno alla promozione delle attività" in html and '<html lang="it">' in html
    assert client.get("/meetings/999999").status_code == 404
