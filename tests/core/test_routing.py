"""Numbers too large to name a row: a clean answer on every face, never a driver overflow (a 500).

2**31 overflows PostgreSQL's INTEGER, 2**63 SQLite's: the suite runs on both databases."""
from __future__ import annotations

import pytest

from app.core.routing import ID_MAX
from app.process.demo import DEMO_PASSWORD
from tests.factories import bearer, token_for

TOO_LARGE = [ID_MAX + 1, 2**63]


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize("path", ["/proposals/{n}", "/meetings/{n}", "/polls/{n}", "/api/v1/polls/{n}",
                                  "/api/v1/proposals/{n}"])
def test_a_path_id_too_large_is_not_found(client, demo, path: str, number: int) -> None:
    assert client.get(path.format(n=number)).status_code == 404


@pytest.mark.parametrize("number", TOO_LARGE)
def test_page_filters_too_large_show_everything(client, demo, number: int) -> None:
    everything = client.get("/proposals").get_data(as_text=True)
    filtered = client.get(f"/proposals?axis={number}&organization={number}")
    assert filtered.status_code == 200
    assert filtered.get_data(as_text=True).count('href="/proposals/') == everything.count('href="/proposals/')
    assert client.get(f"/audit?after={number}").status_code == 200


@pytest.mark.parametrize("number", TOO_LARGE)
def test_body_ids_too_large_are_refused_as_invalid(client, demo, number: int) -> None:
    member = bearer(token_for(client, demo["users"]["delegate:cna"], DEMO_PASSWORD))
    response = client.post("/api/v1/pacts/1/signatures", json={"version": number}, headers=member)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"]
