"""Support for tests/ops/test_crash.py: a real Tavolo server process that can be SIGKILLed and
restarted on the same database, and bursts (live ballots, HTTP calls) that pull the trigger midway.

The server is bench/live_vote.py's `Servers` (gevent, one worker, started as in production); the live
clients are bench/lean_client.py's raw-WebSocket `LeanClient`; HTTP goes through bench's `http`.
"""
from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from bench.lean_client import LeanClient
from bench.live_vote import Servers, http

DEMO_PASSWORD = "tavolo-demo"


# ------------------------------------------------------------------ the server and its database

def free_port() -> int:
    """A port the OS hands out now, so parallel runs on one machine never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_database_url(test_database_url: str, workdir: Path) -> str:
    """A database of the crash test's own: a SQLite file (WAL) in `workdir`, or, when the suite runs
    on PostgreSQL, a sibling database `<test database>_crash` on the same server (recreated empty)."""
    if not test_database_url.startswith("postgresql"):
        return f"sqlite:///{workdir}/crash.db"
    url = sa.engine.make_url(test_database_url)
    name = f"{url.database}_crash"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_server_database(database_url: str) -> None:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    admin.dispose()


class CrashableServer:
    """One production-like Tavolo process on a prepared database (migrations + demo), killable."""

    def __init__(self, database_url: str, workdir: Path):
        self.database_url = database_url
        self.workdir = workdir
        # Servers picks its database by name ("sqlite" = a file in workdir, "postgresql" = BENCH_PG_URL,
        # dropped and recreated); this test brings its own URL, so it replaces the environment's.
        # prepare_database() then only runs `flask db upgrade` and `flask seed-demo` on that URL.
        self.servers = Servers("sqlite", 1, free_port(), workdir)
        self.servers.env["DATABASE_URL"] = database_url
        self.starts = 0
        self._tokens: dict[str, str] = {}
        self.engine = sa.create_engine(database_url)

    @property
    def url(self) -> str:
        return self.servers.urls()[0]

    @property
    def pid(self) -> int:
        return self.servers.procs[0].pid

    def prepare_and_start(self) -> None:
        self.servers.prepare_database()
        self.start()

    def start(self) -> None:
        self.starts += 1
        port = self.servers.ports[0]
        self.servers.procs = []
        self.servers.logs = [self.workdir / f"server-{port}-start{self.starts}.log"]
        self.servers.start()

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no flush; what a power cut does to the process."""
        proc = self.servers.procs[0]
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def restart(self) -> None:
        """Start a new process on the same port and the same database (what a supervisor does)."""
        assert self.servers.procs[0].poll() is not None, "restart() after kill()"
        self.start()

    def stop(self) -> None:
        self.servers.stop()
        self.engine.dispose()

    def log_tail(self, chars: int = 3000) -> str:
        return "".join(log.read_text(errors="replace")[-chars:] for log in self.servers.logs if log.exists())

    def token(self, email: str) -> str:
        """A Bearer token of a demo account (kept: tokens live in the database and survive restarts)."""
        if email not in self._tokens:
            self._tokens[email] = http("POST", f"{self.url}/api/v1/auth/token",
                                       {"email": email, "password": DEMO_PASSWORD})["token"]
        return self._tokens[email]

    def scalars(self, statement: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement).scalars())

    def rows(self, statement: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement).all())


# ------------------------------------------------------------------ HTTP burst

HTTP_STATUS = re.compile(r" → (\d{3}): ")


@dataclass
class CallOutcome:
    """What the client learned: the 2xx body, or the refusal's status and text, or nothing at all."""

    key: Any
    body: Any = None
    status: int | None = None
    detail: str = ""

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def answered(self) -> bool:
        return self.status is not None


def call(key: Any, method: str, url: str, body: Any, token: str) -> CallOutcome:
    """bench's `http`, with its outcome classified: it raises RuntimeError("... → <status>: ...") on
    an HTTP error and a network exception when the server is gone."""
    try:
        return CallOutcome(key, http(method, url, body, token, timeout=30), 200)
    except RuntimeError as exc:
        match = HTTP_STATUS.search(str(exc))
        return CallOutcome(key, None, int(match.group(1)) if match else None, str(exc))
    except Exception as exc:  # connection refused / reset / closed mid-answer: no answer
        return CallOutcome(key, None, None, repr(exc))


def http_burst(calls: list[tuple[Any, str, str, Any, str]], kill: Callable[[], None], kill_after: int,
               workers: int = 12) -> list[CallOutcome]:
    """Run the calls concurrently; after `kill_after` of them were acknowledged with 2xx, `kill()`
    (once), then let every other call finish or fail. Returns every call's outcome."""
    lock = threading.Lock()
    state = {"acked": 0, "killed": False}
    outcomes: list[CallOutcome] = []

    def run(spec: tuple[Any, str, str, Any, str]) -> CallOutcome:
        outcome = call(*spec)
        with lock:
            if outcome.acked:
                state["acked"] += 1
            if state["acked"] >= kill_after and not state["killed"]:
                state["killed"] = True
                kill()
        return outcome

    with ThreadPoolExecutor(workers) as pool:
        for future in as_completed([pool.submit(run, spec) for spec in calls]):
            outcomes.append(future.result())
    if not state["killed"]:
        kill()  # every call was answered before the threshold: the caller's precondition check says so
    return outcomes


# ------------------------------------------------------------------ live ballot burst

@dataclass
class Voter:
    """One town-meeting participant's phone, as seen from the client side."""

    token: str
    choice: str
    user_id: int | None = None
    #: poll id → receipt of an ok ack; poll id → refusal code of a refused ack (burst, then retry)
    receipts: dict[int, str] = field(default_factory=dict)
    refusals: dict[int, str] = field(default_factory=dict)
    retry_refusals: dict[int, str] = field(default_factory=dict)
    #: poll id → the highest `voted` of a tally_updated this client saw
    seen_voted: dict[int, int] = field(default_factory=dict)
    #: the highest seq this client saw (join ack or event)
    seen_seq: int = 0


def _watch(client: LeanClient, voter: Voter) -> None:
    def on_tally(payload: Any) -> None:
        if isinstance(payload, dict):
            poll_id = payload.get("poll_id")
            voter.seen_voted[poll_id] = max(voter.seen_voted.get(poll_id, 0), int(payload.get("voted", 0)))
            voter.seen_seq = max(voter.seen_seq, int(payload.get("seq", 0)))

    client.on("tally_updated", on_tally)


async def _connect_all(url: str, voters: list[Voter], meeting_id: int, event: str, extra: Callable[[Voter], dict],
                       concurrency: int = 50) -> tuple[list[LeanClient], list[dict]]:
    clients = [LeanClient(url, auth={"token": v.token}) for v in voters]
    acks: list[dict] = [{} for _ in voters]
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            client, voter = clients[index], voters[index]
            _watch(client, voter)
            await client.connect()
            ack = await client.emit(event, {"meeting_id": meeting_id, **extra(voter)})
            assert ack and ack.get("ok"), f"{event} refused: {ack}"
            voter.user_id = ack["snapshot"]["me"]["user_id"]
            voter.seen_seq = max(voter.seen_seq, int(ack["seq"]))
            acks[index] = ack

    await asyncio.gather(*(one(i) for i in range(len(voters))))
    return clients, acks


async def _hang_up(clients: list[LeanClient]) -> None:
    """Close every client without waiting out websockets' 10 s close timeout: the gevent server sends
    no TCP close after the WebSocket close handshake, so a polite close() takes 10 s per batch."""
    for client in clients:
        if client.ws is not None:
            client.ws.close_timeout = 0.2
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def _cast(client: LeanClient, voter: Voter, poll_id: int, retry: bool = False) -> bool:
    """One cast_ballot; True when acknowledged ok (a refusal or a lost connection is False)."""
    try:
        ack = await client.emit("cast_ballot", {"poll_id": poll_id, "choice": voter.choice}, timeout=30)
    except Exception:
        return False  # the server died: no ack, the client cannot know whether it counted
    if ack and ack.get("ok"):
        voter.receipts[poll_id] = ack["receipt"]
        return True
    refusals = voter.retry_refusals if retry else voter.refusals
    refusals[poll_id] = (ack or {}).get("error", {}).get("code", "?")
    return False


async def _ballot_burst(url: str, voters: list[Voter], meeting_id: int, poll_ids: list[int],
                        kill: Callable[[], None], kill_after: int, spread_s: float) -> None:
    clients, _acks = await _connect_all(url, voters, meeting_id, "join_meeting", lambda v: {})
    state = {"acked": 0, "killed": False}

    async def phone(index: int) -> None:
        await asyncio.sleep(index * spread_s / len(voters))  # people press at slightly different times
        for poll_id in poll_ids:
            if state["killed"]:
                return  # the server is gone: nothing more to send
            if await _cast(clients[index], voters[index], poll_id):
                state["acked"] += 1
                if state["acked"] >= kill_after and not state["killed"]:
                    state["killed"] = True
                    kill()

    await asyncio.gather(*(phone(i) for i in range(len(voters))))
    if not state["killed"]:
        kill()
    await _hang_up(clients)


def ballot_burst(url: str, voters: list[Voter], meeting_id: int, poll_ids: list[int],
                 kill: Callable[[], None], kill_after: int, spread_s: float = 1.5) -> None:
    """Every voter joins the meeting over its own WebSocket, then casts one ballot in each poll (spread
    over `spread_s`); after `kill_after` ok acks in all, `kill()`. Results are recorded on the voters."""
    asyncio.run(_ballot_burst(url, voters, meeting_id, poll_ids, kill, kill_after, spread_s))


async def _reconnect(url: str, voters: list[Voter], meeting_id: int, retry_polls: list[int]) -> list[dict]:
    since = {id(v): v.seen_seq for v in voters}
    clients, acks = await _connect_all(url, voters, meeting_id, "resync", lambda v: {"since": since[id(v)]})
    # every snapshot is read before anyone votes again, so all of them describe the restarted state
    async def retry(client: LeanClient, voter: Voter) -> None:
        for poll_id in retry_polls:
            if poll_id not in voter.receipts:
                await _cast(client, voter, poll_id, retry=True)

    await asyncio.gather(*(retry(c, v) for c, v in zip(clients, voters)))
    await _hang_up(clients)
    return acks


def reconnect_and_retry(url: str, voters: list[Voter], meeting_id: int, retry_polls: list[int]) -> list[dict]:
    """Each phone reconnects and resyncs from the last seq it saw (the acks are returned, in voter
    order), then casts again every ballot it never got a receipt for."""
    return asyncio.run(_reconnect(url, voters, meeting_id, retry_polls))
