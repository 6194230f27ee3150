"""The HTML login form (the browser tests log in through it too: tests/e2e/test_login.py)."""
from __future__ import annotations

from tests.factories import csrf_token, login, make_user


def test_accounts_on_reserved_domains_can_log_in(session, client) -> None:
    """The demo accounts live on ".test", which e-mail syntax validators refuse: login must not care."""
    user = make_user(session, role="observer", email="osservatore@demo.test")
    response = login(client, user)
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_with_an_italian_message(session, client) -> None:
    user = make_user(session, role="observer", email="osservatore@demo.test")
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": "sbagliata", "csrf_token": token})
    assert response.status_code == 401
    assert "E-mail o password non corretti." in response.get_data(as_text=True)
