"""Live-vote bursts against a server speaking Tavolo's live protocol, measured from the clients.

Used for both the transport floor and Tavolo itself so the two figures are comparable.
"""
from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from bench.lean_client import LeanClient, now


@dataclass
class BurstResult:
    clients: int
    connect_s: float = 0.0
    t_final_s: float | None = None
    ack_latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    final_seen: int = 0
    receipts: int = 0
    #: the open request's round trip: the poll is open (and its roll frozen) when it returns
    open_s: float | None = None
    #: set by the caller, which knows the server process
    server_cpu_s_burst: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.ack_latencies_ms)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))], 1)

        return {
            "clients": self.clients,
            "connect_s": round(self.connect_s, 3),
            "open_ms": round(self.open_s * 1000, 1) if self.open_s is not None else None,
            "t_final_s": round(self.t_final_s, 3) if self.t_final_s is not None else None,
            "ack_p50_ms": pct(50),
            "ack_p99_ms": pct(99),
            "ack_mean_ms": round(statistics.fmean(lat), 1) if lat else None,
            "ballots_per_s": round(self.receipts / self.t_final_s, 1) if self.t_final_s else None,
            "final_seen_by": self.final_seen,
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
        }


class Crowd:
    """N clients connected to one meeting, kept connected across several bursts (rounds).

    Client i talks to process i mod P: what a sticky load balancer does with many phones."""

    def __init__(self, base_urls: str | list[str], tokens: list[str], meeting_id: int,
                 headers: dict[str, str] | None = None):
        urls = [base_urls] if isinstance(base_urls, str) else base_urls
        self.meeting_id = meeting_id
        self.clients = [LeanClient(urls[i % len(urls)], auth={"token": t}, headers=headers) for i, t in enumerate(tokens)]
        self.connect_s = 0.0
        self.connect_errors: list[str] = []

    async def connect(self, concurrency: int = 100) -> None:
        """Connect every client and join the meeting; failures are kept in connect_errors."""
        async def connect_one(client: LeanClient, gate: asyncio.Semaphore) -> None:
            async with gate:
                try:
                    await client.connect()
                    ack = await client.emit("join_meeting", {"meeting_id": self.meeting_id})
                    if not ack or not ack.get("ok"):
                        self.connect_errors.append(f"join refused: {ack}")
                except Exception as exc:
                    self.connect_errors.append(f"connect: {exc!r}")

        t_connect = now()
        gate = asyncio.Semaphore(concurrency)
        await asyncio.gather(*(connect_one(c, gate) for c in self.clients))
        self.connect_s = now() - t_connect

    async def burst(self, open_poll: Callable[[], Awaitable[Any]], ballot_for: Callable[[dict], dict],
                    timeout_s: float = 120.0) -> BurstResult:
        """Open a poll and let every client vote on its `poll_opened`.

        t_final_s runs from the open request until the last client has seen a tally of that poll
        with every ballot (a late tally of an earlier round's poll does not count)."""
        n = len(self.clients)
        result = BurstResult(clients=n, connect_s=self.connect_s)
        done = asyncio.Event()
        seen_final: list[float] = []

        async def vote(client: LeanClient, poll: dict) -> None:
            sent = now()
            try:
                ack = await client.emit("cast_ballot", ballot_for(poll))
            except Exception as exc:
                result.errors.append(f"ack: {exc!r}")
                return
            result.ack_latencies_ms.append((now() - sent) * 1000)
            if ack and ack.get("ok") and ack.get("receipt"):
                result.receipts += 1
            else:
                result.errors.append(f"ballot refused: {ack}")

        def attach(client: LeanClient) -> None:
            state: dict[str, Any] = {"final": False, "poll_id": None}

            def on_opened(payload: Any) -> None:
                poll = payload.get("poll", payload) if isinstance(payload, dict) else {}
                state["poll_id"] = poll.get("id")
                asyncio.ensure_future(vote(client, poll))

            def on_tally(payload: Any) -> None:
                if (not state["final"] and isinstance(payload, dict) and payload.get("voted", 0) >= n
                        and state["poll_id"] is not None and payload.get("poll_id") == state["poll_id"]):
                    state["final"] = True
                    seen_final.append(now())
                    if len(seen_final) >= n:
                        done.set()

            client.on("poll_opened", on_opened)
            client.on("tally_updated", on_tally)

        for client in self.clients:
            attach(client)
        t0 = now()
        await open_poll()
        result.open_s = now() - t0
        try:
            await asyncio.wait_for(done.wait(), timeout_s)
        except asyncio.TimeoutError:
            result.errors.append(f"timeout: {len(seen_final)}/{n} clients saw the final tally")
        if seen_final:
            result.t_final_s = max(seen_final) - t0
        result.final_seen = len(seen_final)
        return result

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


async def run_burst(
    base_urls: str | list[str],
    tokens: list[str],
    meeting_id: int,
    open_poll: Callable[[], Awaitable[Any]],
    ballot_for: Callable[[dict], dict],
    connect_concurrency: int = 100,
    timeout_s: float = 120.0,
) -> BurstResult:
    """One crowd, one burst: connect, vote once, disconnect."""
    crowd = Crowd(base_urls, tokens, meeting_id)
    await crowd.connect(connect_concurrency)
    try:
        result = await crowd.burst(open_poll, ballot_for, timeout_s)
    finally:
        await crowd.close()
    result.errors[:0] = crowd.connect_errors
    return result
