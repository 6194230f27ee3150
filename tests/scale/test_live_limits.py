"""A live payload over SOCKETIO_MAX_HTTP_BUFFER_SIZE ends the connection, on a real server (the
WebSocket transport enforces it; the test client bypasses the transport)."""
from __future__ import annotations

import time

import pytest
import socketio

from bench.live_vote import http
from config import Config

pytestmark = pytest.mark.slow


def _connected(base: str, token: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token}, wait_timeout=10)
    return client


def _dropped_within(client: socketio.Client, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    return not client.connected


def test_a_payload_over_the_limit_ends_the_connection(two_processes: list[str]) -> None:
    one_process = two_processes[0]
    token = http("POST", f"{one_process}/api/v1/auth/token",
                 {"email": "delegato.cna@demo.test", "password": "tavolo-demo"})["token"]
    small, large = _connected(one_process, token), _connected(one_process, token)
    try:
        padding = "x" * Config.SOCKETIO_MAX_HTTP_BUFFER_SIZE
        large.emit("resync", {"meeting_id": 1, "pad": padding}, namespace="/live")
        assert _dropped_within(large, 10), "a payload over the limit was accepted"
        # a normal payload on another connection is still served
        ack = small.call("resync", {"meeting_id": 1, "pad": "x" * 100}, namespace="/live", timeout=10)
        assert isinstance(ack, dict) and "ok" in ack
    finally:
        for client in (small, large):
            if client.connected:
                client.disconnect()
