"""Vote-engine tests run with the tally broadcaster in manual mode: they flush it when they want."""
from __future__ import annotations

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient


@pytest.fixture(autouse=True)
def _manual_tally(app, monkeypatch):
    from app.votes.live import broadcaster

    tally = broadcaster(app)
    monkeypatch.setattr(tally, "autostart", False)
    yield tally
    tally.pending()  # leave nothing behind for the next test
    with tally._lock:
        tally._dirty.clear()


class FreshUserClient(FlaskClient):
    """A test client whose requests start with an empty `g`, as real requests do.

    While a test holds an app context (the `session` fixture), every request reuses it, and with it
    `g`: the first caller would stay logged in (`g._login_user`) whatever token the next one sends,
    and a CSRF token cached before a login would outlive the session it belonged to.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return FreshUserClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def past_the_early_check(monkeypatch):
    """cast_ballots sees no earlier ballot, as if a concurrent one committed after its check: what
    is left to refuse a second ballot is the database's UNIQUE constraint."""
    from app.votes import services

    roll_and_votes = services._roll_and_votes
    monkeypatch.setattr(services, "_roll_and_votes", lambda *args: (roll_and_votes(*args)[0], set()))
