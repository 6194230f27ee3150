"""Real server processes (gevent, one worker each, as in production) for the scale-out and transport tests."""
from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bench.live_vote import REDIS_URL, Servers


def _free_ports(count: int) -> list[int]:
    """Ports the OS hands out now, so parallel runs on one machine never collide."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _redis_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:  # the machine starts Redis (.ci/run does too): say so plainly
        pytest.fail(f"Redis is not running at {REDIS_URL}: {exc}", pytrace=False)


def _started(tmp_path: Path, processes: int) -> Servers:
    ports = _free_ports(processes)
    servers = Servers("sqlite", 1, ports[0], tmp_path)
    if processes > 1:
        _redis_up()
        # several processes on one WAL database file: enough to prove the message queue; production uses PostgreSQL
        servers.env["SOCKETIO_MESSAGE_QUEUE"] = REDIS_URL
        # a channel of this run's own: another run sharing the machine's Redis cannot cross-talk with it
        servers.env["SOCKETIO_CHANNEL"] = f"tavolo-test-{secrets.token_hex(4)}"
    servers.ports = ports
    servers.logs = [tmp_path / f"server-{p}.log" for p in servers.ports]
    servers.prepare_database()
    servers.start()
    return servers


@pytest.fixture(scope="package")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two server processes on one database and one Redis channel, shared by the package's tests
    (starting them is most of these tests' time); their base URLs."""
    servers = _started(tmp_path_factory.mktemp("servers"), 2)
    try:
        yield servers.urls()
    finally:
        servers.stop()
