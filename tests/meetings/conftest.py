"""Test harness for meetings: each test-client request sees only its own user.

Tests hold an application context (the `session` fixture), and Flask then runs test-client requests
inside it instead of a fresh one, so Flask-Login's per-context cache of the current user (g) would
leak from one request to the next: a request with a participant's token would still be the chair,
and a second browser would get the first one's CSRF token.
In production every request has its own context; this restores that at the start of each request.
"""
from __future__ import annotations

import pytest
from flask import g, request_started


def forget_current_user() -> None:
    """Drop what the previous request left in `g` (current user, CSRF token, locale...)."""
    for name in list(g):
        g.pop(name, None)


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    def on_request(sender, **extra):
        forget_current_user()

    request_started.connect(on_request, app)
    yield
    request_started.disconnect(on_request, app)
