"""The request context of a live (Socket.IO) event, made for what an event needs.

Flask-SocketIO runs every event of a connection inside `app.request_context(environ)` with the
environ of the connection's handshake. A plain request context then does, at every event, work that
only an HTTP request needs: it binds the URL map to the environ and matches `/socket.io/` against
every route (finding none), and it decodes the session cookie, which Flask-SocketIO replaces at once
with the connection's own session (`manage_session`). In a live vote that was about a sixth of the
server's CPU per ballot. Here a live event reuses its connection's URL adapter (URLs are still built
for the connection's host), skips the matching (an event has no route) and starts from the
connection's session; the connect event, which has no session of its own yet, opens the cookie's.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.ctx import RequestContext
from werkzeug.routing import MapAdapter

#: Flask-SocketIO's default path, which Tavolo keeps: only its requests carry a live environ
LIVE_PATH = "/socket.io"
#: where the connection's environ keeps its URL adapter and (Flask-SocketIO's key) its session
ADAPTER_KEY = "tavolo.url_adapter"
SESSION_KEY = "saved_session"


def is_live_environ(environ: dict[str, Any]) -> bool:
    """Requests under /socket.io/ never reach Flask's views (the Socket.IO middleware takes them):
    a request context for such an environ is one of a live event."""
    path = environ.get("PATH_INFO", "")
    return path == LIVE_PATH or path.startswith(LIVE_PATH + "/")


class LiveEventContext(RequestContext):
    def __init__(self, app: Flask, environ: dict[str, Any]):
        super().__init__(app, environ, session=environ.get(SESSION_KEY))

    def match_request(self) -> None:
        """A live event has no route: `request.url_rule` stays None, and no NotFound is recorded."""


class TavoloFlask(Flask):
    def request_context(self, environ: dict[str, Any]) -> RequestContext:
        if is_live_environ(environ):
            return LiveEventContext(self, environ)
        return super().request_context(environ)

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is None or not is_live_environ(request.environ):
            return super().create_url_adapter(request)
        adapter = request.environ.get(ADAPTER_KEY)
        if adapter is None:  # a MapAdapter holds no per-call state: one per connection serves its events
            adapter = request.environ[ADAPTER_KEY] = super().create_url_adapter(request)
        return adapter


def in_live_event(request: Request) -> bool:
    """Whether `request` is the context of a live event: the same rule that chose its context."""
    return is_live_environ(request.environ)
