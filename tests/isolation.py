"""Test clients that behave like separate processes: each request or socket event in its own context.

A test holds an application context (fixtures `app_ctx`/`session`) so that it can call services. Flask
reuses an application context that is already pushed, so without isolation every request of the test
client would share the test's `g` and database session: Flask-Login caches the current user in `g`
(a second client would see the first one's user) and Flask-WTF caches the CSRF token in `g` (the token
never reached the session, so a logged-in user could not post a form). Running each request in an
empty `contextvars.Context` gives it its own application context, `g` and session, as in production.

Before each request the test's own transaction is committed: another process sees committed data
only, and on SQLite every transaction holds the write lock (BEGIN IMMEDIATE) until it ends.
"""
from __future__ import annotations

import contextvars
from typing import Any

from flask import has_app_context
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient


def end_test_transaction() -> None:
    from app.extensions import db

    if has_app_context():
        db.session.commit()


def _isolated(fn: Any, *args: Any, **kwargs: Any) -> Any:
    end_test_transaction()
    try:
        return contextvars.Context().run(fn, *args, **kwargs)
    finally:
        # what the request changed is another session's work: reload the test's objects on next access
        if has_app_context():
            from app.extensions import db

            db.session.expire_all()


class IsolatedClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        # buffered: a streamed body (stream_with_context) is read inside the request's own context
        kwargs.setdefault("buffered", True)
        return _isolated(super().open, *args, **kwargs)


class IsolatedSocketClient(SocketIOTestClient):
    def connect(self, *args: Any, **kwargs: Any) -> Any:
        return _isolated(super().connect, *args, **kwargs)

    def disconnect(self, *args: Any, **kwargs: Any) -> Any:
        return _isolated(super().disconnect, *args, **kwargs)

    def emit(self, *args: Any, **kwargs: Any) -> Any:
        return _isolated(super().emit, *args, **kwargs)

    def send(self, *args: Any, **kwargs: Any) -> Any:
        return _isolated(super().send, *args, **kwargs)
