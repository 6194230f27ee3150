"""The live channel's transport guards: foreign origins refused at the handshake, event rates bounded
per connection (payload size: tests/scale/test_live_limits.py, on a real server), so one hostile page or client cannot act for a user or flood a worker."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import socket_client
from tests.meetings.factories import api_token, make_chair, make_meeting, person

NS = "/live"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def _handshake_status(client, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    return client.get(HANDSHAKE, headers=headers).status_code


def test_a_foreign_origin_is_refused_at_the_handshake(client) -> None:
    assert _handshake_status(client, "https://evil.example") == 400
    # the page's own origin (the test client's host) and clients that send none (apps, scripts) are served
    assert _handshake_status(client, "http://localhost") == 200
    assert _handshake_status(client, None) == 200


@pytest.fixture
def allowed_origin(app) -> Iterator[str]:
    """An explicit allow-list, as SOCKETIO_CORS_ALLOWED_ORIGINS sets it (a kiosk served from elsewhere)."""
    origin = "https://proiettore.example.it"
    # the engine.io server this app serves with (another create_app in the run rebinds `socketio.server`)
    server = app.wsgi_app.engineio_app.eio
    saved = server.cors_allowed_origins
    server.cors_allowed_origins = [origin]
    try:
        yield origin
    finally:
        server.cors_allowed_origins = saved


def test_the_allow_list_admits_exactly_its_origins(client, allowed_origin: str) -> None:
    assert _handshake_status(client, allowed_origin) == 200
    assert _handshake_status(client, "https://evil.example") == 400


def test_the_allow_list_setting_reaches_the_server(monkeypatch) -> None:
    import config

    monkeypatch.setenv("SOCKETIO_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    assert config._env_list("SOCKETIO_CORS_ALLOWED_ORIGINS") == ["https://a.example", "https://b.example"]


@pytest.fixture
def strict_event_limit(app) -> Iterator[int]:
    saved = app.config["LIVE_EVENT_RATE_LIMIT"]
    app.config["LIVE_EVENT_RATE_LIMIT"] = "3 per minute"
    try:
        yield 3
    finally:
        app.config["LIVE_EVENT_RATE_LIMIT"] = saved


def test_events_beyond_the_rate_limit_are_refused_per_connection(app, session, strict_event_limit: int) -> None:
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    member = person(session, "member")
    flooding = socket_client(app, token=api_token(session, member))
    calm = socket_client(app, token=api_token(session, member))

    acks = [flooding.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
            for _ in range(strict_event_limit + 2)]
    assert all(ack["ok"] for ack in acks[:strict_event_limit]), acks
    assert [ack["error"]["code"] for ack in acks[strict_event_limit:]] == ["rate_limited"] * 2
    # another connection of the same user is counted apart
    assert calm.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)["ok"]
