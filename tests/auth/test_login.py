"""Login form, logout, CSRF on forms, session cookie flags, password hashing, production key check."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from tests.auth.factories import other_app
from tests.factories import PASSWORD, csrf_token, login, make_user, socket_client, token_for


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_login_page_is_italian_with_labelled_fields(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Accedi a Tavolo" in html
    assert 'name="email"' in html and 'name="password"' in html
    assert '<label for="email"' in html and '<label for="password"' in html


def test_login_success_redirects_and_sets_session(client, session):
    user = make_user(session, role="observer")
    response = login(client, user)
    assert response.headers["Location"] == "/"
    assert client.get("/api/v1/me").get_json()["email"] == user.email
    assert user.name in client.get("/").get_data(as_text=True)


def test_login_follows_only_local_next(client, session):
    user = make_user(session, role="observer")
    token = csrf_token(client, "/auth/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login?next=/organizations", data=data)
    assert response.headers["Location"] == "/organizations"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example"])
def test_login_refuses_foreign_next(client, session, target):
    user = make_user(session, role="observer")
    token = csrf_token(client, "/auth/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login", query_string={"next": target}, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("email, password", [
    ("known", "password-sbagliata"),
    ("nessuno@example.test", PASSWORD),
])
def test_login_failure_is_401_in_italian_and_changes_nothing(client, session, email, password):
    user = make_user(session, role="observer")
    entries = _count(session, AuditEntry)
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={
        "email": user.email if email == "known" else email, "password": password, "csrf_token": token})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "E-mail o password non corretti." in html
    assert 'aria-invalid="true"' in html
    assert _count(session, AuditEntry) == entries
    assert client.get("/api/v1/me").status_code == 401


def test_login_of_deactivated_account_refused(client, session):
    user = make_user(session, role="observer")
    user.active = False
    session.commit()
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 401


def test_login_with_empty_fields_is_422(client):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_login_email_is_case_insensitive(client, session):
    user = make_user(session, role="observer", email="Maiuscole@Example.test")
    assert user.email == "maiuscole@example.test"
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": "MAIUSCOLE@example.TEST", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("token", [None, "forged-token", ""])
def test_login_without_valid_csrf_is_400_page(client, session, token):
    user = make_user(session, role="observer")
    data = {"email": user.email, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Il modulo è scaduto o non è valido" in html
    assert "csrf_failed" in html
    assert client.get("/api/v1/me").status_code == 401


def test_csrf_token_of_another_session_is_refused(app, client, session):
    user = make_user(session, role="observer")
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def test_logout_needs_post_with_csrf(client, session):
    user = make_user(session, role="observer")
    login(client, user)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    token = csrf_token(client, "/")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert "Accedi" in client.get("/").get_data(as_text=True)


def test_logout_disconnects_live_sockets(app, client, session):
    user = make_user(session, role="observer")
    other = make_user(session, role="observer")
    login(client, user)
    by_cookie = socket_client(app, client=client)
    by_token = socket_client(app, token=token_for(app.test_client(), user))
    bystander = socket_client(app, token=token_for(app.test_client(), other))
    assert by_cookie.is_connected("/live") and by_token.is_connected("/live")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not by_cookie.is_connected("/live")
    assert not by_token.is_connected("/live")
    assert bystander.is_connected("/live")
    assert "logged_out" not in [e["name"] for e in bystander.get_received("/live")]
    bystander.disconnect(namespace="/live")


def test_logout_anonymous_redirects_to_login(client):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_password_hash_is_argon2(session):
    user = make_user(session, role="observer")
    stored = session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


def _set_cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_session_cookie_flags(client, session):
    user = make_user(session, role="observer")
    response = login(client, user)
    cookie = next(c for c in _set_cookie_headers(response) if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run on http


def _production_config(tmp_path, key):
    from config import ProductionConfig

    class Production(ProductionConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/prod.db"
        SOCKETIO_ASYNC_MODE = "threading"  # no gevent monkey patching inside pytest
        SOCKETIO_MESSAGE_QUEUE = None

    return Production


@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "short-key"])
def test_production_refuses_a_guessable_secret_key(tmp_path, monkeypatch, key):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 64)  # the environment does not excuse a weak configured key
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production_config(tmp_path, key))


def test_production_refuses_to_start_without_secret_key_in_environment(tmp_path, monkeypatch):
    import importlib

    import config
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    fresh = importlib.reload(config)
    try:
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(fresh.ProductionConfig)
    finally:
        importlib.reload(config)


def test_production_starts_with_a_real_key_and_secure_cookies(app, tmp_path):
    with other_app(_production_config(tmp_path, "k" * 48)) as production:
        _check_production(production)


def _check_production(production):
    from app.extensions import db

    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    with production.app_context():
        db.create_all()
        make_user(db.session, role="observer", email="prod@example.test")
    prod_client = production.test_client()
    https = {"base_url": "https://tavolo.example", "headers": {"Referer": "https://tavolo.example/auth/login"}}
    html = prod_client.get("/auth/login", **https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {"email": "prod@example.test", "password": PASSWORD, "csrf_token": token}
    response = prod_client.post("/auth/login", data=data, **https)
    assert response.status_code == 302
    cookie = next(c for c in _set_cookie_headers(response) if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers
