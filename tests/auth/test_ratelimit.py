"""Throttled credentials: repeated login failures get 429 per client address and account tried; failed
access codes per client address (a guesser tries a different code each time)."""
from __future__ import annotations

import pytest

from config import TestingConfig
from tests.auth.factories import other_app
from tests.auth.test_api import assert_error
from tests.factories import PASSWORD, csrf_token, make_user
from tests.isolation import IsolatedClient

LIMIT = 3


@pytest.fixture
def limited_app(database_url):
    class Limited(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        LOGIN_RATE_LIMIT = f"{LIMIT} per minute"
        CODE_RATE_LIMIT = f"{LIMIT} per minute"

    with other_app(Limited) as application:
        application.test_client_class = IsolatedClient
        yield application


def _form_login(client, email: str, password: str):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})


def test_login_form_throttled_after_repeated_failures(limited_app, session):
    target = make_user(session, role="observer")
    bystander = make_user(session, role="observer")
    client = limited_app.test_client()
    for _ in range(LIMIT):
        assert _form_login(client, target.email, "password-sbagliata").status_code == 401
    blocked = _form_login(client, target.email, PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "Troppi tentativi" in html and '<html lang="it">' in html
    # another account from the same address is not locked out
    other = limited_app.test_client()
    assert _form_login(other, bystander.email, "password-sbagliata").status_code == 401
    assert _form_login(other, bystander.email, PASSWORD).status_code == 302


def test_successful_logins_are_not_counted(limited_app, session):
    user = make_user(session, role="observer")
    for _ in range(LIMIT + 2):
        client = limited_app.test_client()
        assert _form_login(client, user.email, PASSWORD).status_code == 302


def test_token_endpoint_throttled(limited_app, session):
    target = make_user(session, role="observer")
    bystander = make_user(session, role="observer")
    client = limited_app.test_client()
    for _ in range(LIMIT):
        response = client.post("/api/v1/auth/token", json={"email": target.email, "password": "password-sbagliata"})
        assert_error(response, 401, "invalid_credentials")
    response = client.post("/api/v1/auth/token", json={"email": target.email, "password": PASSWORD})
    assert_error(response, 429, "too_many_requests")
    response = client.post("/api/v1/auth/token", json={"email": bystander.email, "password": PASSWORD})
    assert response.status_code == 200



def test_failed_access_codes_throttled_per_address_whatever_code_is_typed(limited_app, session):
    from app.meetings.access_codes import create_access_codes
    from tests.meetings.factories import make_chair, make_meeting

    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    valid = [code for _row, code in create_access_codes(session, chair, meeting, 2)]
    session.commit()
    scanner = limited_app.test_client()
    for guess in range(LIMIT):
        assert_error(scanner.post("/api/v1/auth/code", json={"code": f"2222-2222-2{guess}"}), 401, "invalid_code")
    assert_error(scanner.post("/api/v1/auth/code", json={"code": valid[0]}), 429, "too_many_requests")
    neighbour = limited_app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert neighbour.post("/api/v1/auth/code", json={"code": valid[1]}).status_code == 200
    # a venue where everyone types a valid code is never throttled
    for _ in range(LIMIT + 2):
        assert neighbour.post("/api/v1/auth/code", json={"code": valid[1]}).status_code == 200
