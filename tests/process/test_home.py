"""The home page (process, phases, axes, the table), the language switch and the process API."""
from __future__ import annotations

import re

import pytest

from tests.auth.test_api import assert_error
from tests.factories import login, make_user


def test_home_in_italian_shows_process_phases_axes_and_table(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Piano strategico di Unione" in html and "Nuovo Circondario Imolese" in html
    assert "Le fasi del percorso" in html
    positions = [html.index(f"{n}. {name}") for n, name in enumerate(["Condivisione", "Apertura", "Restituzione"], 1)]
    assert positions == sorted(positions)
    assert "15 gennaio 2020" in html  # phase dates in Italian
    assert "Gli assi prioritari" in html
    for axis in ["Sviluppo economico", "Connessioni materiali e immateriali", "Sviluppo sostenibile",
                 "Valle del Santerno", "Salute e qualità della vita"]:
        assert axis in html
    adhered = sum(1 for org in demo["organizations"].values() if org.active_adhesion)
    assert f"{adhered} organizzazioni aderiscono al tavolo." in html
    assert 'data-testid="coverage"' in html and "presente" in html
    assert 'href="#main"' in html and '<main id="main"' in html  # skip link and landmark


def test_home_without_process(client):
    html = client.get("/").get_data(as_text=True)
    assert "Nessun percorso configurato" in html


def test_lang_query_switches_to_english_and_sticks(client, demo):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/organizations").get_data(as_text=True)
    assert '<html lang="it">' in client.get("/?lang=it").get_data(as_text=True)
    assert '<html lang="it">' in client.get("/?lang=fr").get_data(as_text=True)


def test_browser_language_does_not_override_italian_default(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="it">' in html


def test_account_language_is_used_after_login(client, session):
    user = make_user(session, role="observer")
    user.locale = "en"
    session.commit()
    login(client, user)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_lang_switch_link_on_every_page(client):
    html = client.get("/organizations?x=1").get_data(as_text=True)
    link = re.search(r'href="(/lang/en\?next=[^"]+)"', html).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/organizations")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    response = client.get("/lang/it")
    assert response.headers["Location"] == "/"
    assert '<html lang="it">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/organizations?a=1", "/organizations?a=1"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"),
    ("/\r\nSet-Cookie:x=1", "/"),
    ("", "/"),
])
def test_lang_redirects_only_to_local_paths(client, target, expected):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_lang_unknown_code_404(client):
    response = client.get("/lang/xx")
    assert response.status_code == 404
    assert "Pagina o risorsa non trovata." in response.get_data(as_text=True)


def test_accessibility_page(client):
    response = client.get("/accessibilita")
    assert response.status_code == 200 and '<html lang="it">' in response.get_data(as_text=True)


def test_process_api(client, demo):
    body = client.get("/api/v1/process").get_json()
    assert body["name"] == "Piano strategico di Unione"
    assert [p["key"] for p in body["phases"]] == ["condivisione", "apertura", "restituzione"]
    assert body["phases"][0]["starts_on"] == "2020-01-15"
    assert len(body["axes"]) == 5
    axes = client.get("/api/v1/axes").get_json()
    assert [a["position"] for a in axes] == [1, 2, 3, 4, 5]


def test_process_api_without_process_404_in_italian(client):
    error = assert_error(client.get("/api/v1/process"), 404, "not_found")
    assert error["message"] == "Nessun percorso configurato."
