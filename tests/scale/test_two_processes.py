"""Scale-out for real: two server processes (gevent, one worker each) share the database and a Redis
message queue; a vote cast on one reaches a live client connected to the other."""
from __future__ import annotations

import threading
import time

import pytest
import socketio

from bench.live_vote import http

pytestmark = pytest.mark.slow


def _wait_for(events: list, name: str, pred, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev_name, payload in list(events):
            if ev_name == name and pred(payload):
                return payload
        time.sleep(0.05)
    pytest.fail(f"no {name} reached the other process's client within {timeout}s; got {[e[0] for e in events]}")


def test_a_vote_cast_on_one_process_reaches_a_client_of_the_other(two_processes: list[str]) -> None:
    first, second = two_processes
    client = socketio.Client(reconnection=False)
    try:
        chair = http("POST", f"{first}/api/v1/auth/token", {"email": "presidenza@demo.test", "password": "tavolo-demo"})["token"]
        voter = http("POST", f"{first}/api/v1/auth/token", {"email": "delegato.cna@demo.test", "password": "tavolo-demo"})["token"]
        meeting = http("POST", f"{first}/api/v1/meetings",
                       {"title": "Due processi", "starts_at": "2026-12-05T10:00:00Z", "place": "test"}, chair)
        http("POST", f"{first}/api/v1/meetings/{meeting['id']}/open", {}, chair)
        poll = http("POST", f"{first}/api/v1/polls", {"title": "Prova", "kind": "yesno", "meeting_id": meeting["id"]}, chair)

        events: list[tuple[str, dict]] = []
        lock = threading.Lock()

        def record(name: str):
            def handler(payload):
                with lock:
                    events.append((name, payload))
            return handler

        for name in ("poll_opened", "tally_updated", "poll_closed"):
            client.on(name, record(name), namespace="/live")
        client.connect(second, namespaces=["/live"], transports=["websocket"], auth={"token": chair}, wait_timeout=10)
        ack = client.call("join_meeting", {"meeting_id": meeting["id"]}, namespace="/live", timeout=10)
        assert ack["ok"]

        http("POST", f"{first}/api/v1/polls/{poll['id']}/open", {}, chair)
        _wait_for(events, "poll_opened", lambda p: p.get("poll_id") == poll["id"])
        receipt = http("POST", f"{first}/api/v1/polls/{poll['id']}/ballots", {"choice": "yes"}, voter)
        assert receipt["receipt"]
        _wait_for(events, "tally_updated", lambda p: p.get("poll_id") == poll["id"] and p.get("voted") == 1)
        http("POST", f"{first}/api/v1/polls/{poll['id']}/close", {}, chair)
        closed = _wait_for(events, "poll_closed", lambda p: p.get("poll_id") == poll["id"])
        assert closed["result"]["counts"]["yes"] == 1
    finally:
        if client.connected:
            client.disconnect()


def test_revoking_a_token_on_one_process_ends_its_connection_on_the_other(two_processes: list[str]) -> None:
    """Logout ends the live connection wherever it is held: the server cuts it, whatever the client does."""
    first, second = two_processes
    token = http("POST", f"{first}/api/v1/auth/token", {"email": "delegato.cna@demo.test", "password": "tavolo-demo"})["token"]
    client = socketio.Client(reconnection=False)
    client.connect(second, namespaces=["/live"], transports=["websocket"], auth={"token": token}, wait_timeout=10)
    try:
        assert client.connected
        http("DELETE", f"{first}/api/v1/auth/token", None, token)
        deadline = time.monotonic() + 15
        while client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not client.connected, "the other process kept the connection of a revoked token"
    finally:
        if client.connected:
            client.disconnect()
