"""A live event's request context: the connection's URL adapter and session, no route matching."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import request, session, url_for

from app.core.live_context import ADAPTER_KEY, is_live_environ
from tests.factories import make_user, socket_client, token_for

NS = "/live"
PROBE = "_probe_context"
seen: list[dict] = []


def _probe_context(payload: dict | None = None) -> dict:
    """A live event of this test only (not a live_handler: the access matrix lists those)."""
    seen.append({
        "adapter": request.environ.get(ADAPTER_KEY),
        "routing_exception": request.routing_exception,
        "url_rule": request.url_rule,
        "session": session._get_current_object(),
    })
    return {"home": url_for("meetings.index", _external=True), "lang": session.get("lang")}


@pytest.fixture
def probe(app) -> Iterator[None]:
    from app.extensions import socketio

    socketio.server.on(PROBE, lambda sid, *args: socketio._handle_event(_probe_context, PROBE, NS, sid, *args),
                       namespace=NS)
    seen.clear()
    yield
    socketio.server.handlers[NS].pop(PROBE, None)


def test_live_events_share_the_connection_adapter_and_session_and_match_no_route(app, client, session, probe):
    sock = socket_client(app, token=token_for(client, make_user(session, role="observer")))
    first = sock.emit(PROBE, {}, namespace=NS, callback=True)
    second = sock.emit(PROBE, {}, namespace=NS, callback=True)
    assert first["home"].startswith("http://localhost/") and "/meetings" in first["home"] and first["home"] == second["home"]
    assert first["lang"] == "it"
    assert seen[0]["adapter"] is not None and seen[0]["adapter"] is seen[1]["adapter"]
    # a plain request context would record a NotFound for /socket.io at every event
    assert seen[0]["routing_exception"] is None and seen[0]["url_rule"] is None
    assert seen[0]["session"] is seen[1]["session"]  # the connection's session, not a new cookie decode
    sock.disconnect(namespace=NS)


def test_http_requests_still_route(client):
    assert client.get("/").status_code == 200
    assert client.get("/pagina-che-non-esiste").status_code == 404


def test_only_socketio_paths_are_live():
    assert is_live_environ({"PATH_INFO": "/socket.io/"}) and is_live_environ({"PATH_INFO": "/socket.io"})
    assert not is_live_environ({"PATH_INFO": "/socket.iox"}) and not is_live_environ({"PATH_INFO": "/"})
