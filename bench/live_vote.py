"""Live-vote benchmark: N town-meeting participants vote at once over WebSocket.

    python bench/live_vote.py --clients 1000 [--db sqlite|postgresql] [--processes P] [--json]

Starts Tavolo as in production (gevent, one worker per process; with P > 1 the processes share
PostgreSQL and a Redis message queue and the load generator spreads clients across them, as a sticky
balancer would), creates a meeting with N access codes, redeems them through the real auth path
(`POST /api/v1/auth/code`), connects every participant over a raw WebSocket, opens a yes/no poll and
lets all vote on `poll_opened`. In the same run it measures the transport floor (bench/floor_server.py)
with the same clients and message sizes. Both crowds stay connected and vote `--rounds` times (a new
poll each), Tavolo's burst and the floor's alternately, so that a machine whose speed drifts (a shared
VM) weighs on both sides alike; t_final_s and the floor's are medians over rounds, and `ratio` is
their quotient. Prints the figures; with --json the last line is one JSON object.
Correctness is checked, not assumed: for every round the database must hold exactly N ballots and
every client must have seen a final tally of N.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.burst import BurstResult, Crowd  # noqa: E402

CHAIR = ("presidenza@demo.test", "tavolo-demo")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tavolo_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


# ------------------------------------------------------------------ small HTTP client (stdlib)

def http(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 60) -> Any:
    data = json.dumps(body).encode() if body is not None else (b"{}" if method != "GET" else None)
    request = urllib.request.Request(url, method=method, data=data)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{method} {url} → {exc.code}: {exc.read()[:300]!r}") from None
    return json.loads(raw) if raw else None


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout}s")


# ------------------------------------------------------------------ processes

def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf(os.sysconf_names["SC_CLK_TCK"])
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Servers:
    """Tavolo processes (gevent, one worker each) on consecutive ports."""

    def __init__(self, db: str, processes: int, base_port: int, workdir: Path):
        self.env = dict(os.environ)
        self.env.update({
            "SECRET_KEY": "bench-" + "x" * 40,
            "TAVOLO_CONFIG": "development",
            "SOCKETIO_ASYNC_MODE": "gevent",
            "LOGIN_RATE_LIMIT": "100000 per minute",
        })
        if db == "sqlite":
            self.env["DATABASE_URL"] = f"sqlite:///{workdir}/bench.db"
        else:
            self.env["DATABASE_URL"] = PG_URL
        if processes > 1:
            if db == "sqlite":
                raise SystemExit("--processes > 1 needs --db postgresql (SQLite is the embedded, single-process mode)")
            self.env["SOCKETIO_MESSAGE_QUEUE"] = REDIS_URL
        self.ports = [base_port + i for i in range(processes)]
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = [workdir / f"server-{p}.log" for p in self.ports]
        self.db = db

    def prepare_database(self) -> None:
        if self.db == "postgresql":
            name = PG_URL.rsplit("/", 1)[1]
            admin = PG_URL.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        env = dict(self.env, TAVOLO_NO_MONKEYPATCH="1")
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    def start(self) -> None:
        for port, log in zip(self.ports, self.logs):
            env = dict(self.env, PORT=str(port))
            self.procs.append(subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env,
                                               stdout=log.open("w"), stderr=subprocess.STDOUT))
        for port in self.ports:
            wait_up(f"http://127.0.0.1:{port}/api/v1/audit/verify")

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def signal(self, signum: int) -> None:
        for proc in self.procs:
            proc.send_signal(signum)

    def cpu(self) -> float:
        return sum(proc_cpu_seconds(p.pid) for p in self.procs)

    def rss(self) -> int:
        return sum(proc_rss_bytes(p.pid) for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


# ------------------------------------------------------------------ the Tavolo run

def setup_vote(base: str, n: int, polls: int = 1) -> tuple[str, int, list[int], list[str]]:
    """Chair token, a meeting with N redeemed access codes and `polls` draft yes/no polls of that meeting."""
    chair = http("POST", f"{base}/api/v1/auth/token", {"email": CHAIR[0], "password": CHAIR[1]})["token"]
    meeting = http("POST", f"{base}/api/v1/meetings",
                   {"title": f"Benchmark {n} partecipanti", "starts_at": "2026-11-22T10:00:00Z", "place": "bench"}, chair)
    http("POST", f"{base}/api/v1/meetings/{meeting['id']}/open", {}, chair)
    codes: list[str] = []
    while len(codes) < n:
        batch = http("POST", f"{base}/api/v1/meetings/{meeting['id']}/access-codes",
                     {"count": min(5000, n - len(codes))}, chair)["codes"]
        codes.extend(c["code"] for c in batch)

    def redeem(code: str) -> str:
        return http("POST", f"{base}/api/v1/auth/code", {"code": code})["token"]

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(redeem, codes))
    poll_ids = [http("POST", f"{base}/api/v1/polls", {
        "title": f"Approvazione delle priorità ({i + 1})", "kind": "yesno", "meeting_id": meeting["id"],
        "electorate": "people", "majority": "simple",
    }, chair)["id"] for i in range(polls)]
    return chair, meeting["id"], poll_ids, tokens


class TavoloSide:
    """Tavolo's servers, its meeting and one poll per round, and the crowd of its participants."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.servers = Servers(args.db, args.processes, args.port, workdir)
        if args.profile:
            self.servers.env["TAVOLO_PROFILE"] = str(Path(args.profile).resolve())
        self.servers.prepare_database()
        self.servers.start()
        self.urls = self.servers.urls()
        self.chair, self.meeting_id, self.poll_ids, tokens = setup_vote(self.urls[0], args.clients, args.rounds)
        self.crowd = Crowd(self.urls, tokens, self.meeting_id)
        self.figures: dict[str, Any] = {}
        #: ballots the database holds for each round's poll
        self.db_ballots: list[int] = []
        self._py_spy: subprocess.Popen | None = None

    async def connect(self) -> None:
        rss_before = self.servers.rss()
        await self.crowd.connect(self.args.connect_concurrency)
        n = max(1, self.args.clients)
        self.figures["memory_per_connection_kb"] = round((self.servers.rss() - rss_before) / n / 1024, 1)

    async def burst(self, round_index: int) -> BurstResult:
        """One poll opened, voted by all, checked in the database and closed."""
        poll_id = self.poll_ids[round_index]
        if round_index == 0:
            self._start_sampling()
        cpu_before = self.servers.cpu()

        async def open_poll() -> None:
            await asyncio.to_thread(http, "POST", f"{self.urls[0]}/api/v1/polls/{poll_id}/open", {}, self.chair)

        result = await self.crowd.burst(open_poll, lambda poll: {"poll_id": poll.get("id", poll_id), "choice": "yes"},
                                        self.args.timeout)
        result.server_cpu_s_burst = self.servers.cpu() - cpu_before
        if round_index == 0:
            self._stop_sampling()
        poll = await asyncio.to_thread(http, "GET", f"{self.urls[0]}/api/v1/polls/{poll_id}", token=self.chair)
        self.db_ballots.append(poll.get("voted"))
        if poll.get("voted") != self.args.clients:
            result.errors.append(f"database holds {poll.get('voted')} ballots, expected {self.args.clients}")
        if result.final_seen != self.args.clients:
            result.errors.append(f"{result.final_seen}/{self.args.clients} clients saw the final tally")
        await asyncio.to_thread(http, "POST", f"{self.urls[0]}/api/v1/polls/{poll_id}/close", {}, self.chair)
        return result

    def verify_audit(self) -> list[str]:
        verify = http("GET", f"{self.urls[0]}/api/v1/audit/verify")
        return [] if verify.get("ok") else [f"audit chain broken: {verify}"]

    def _start_sampling(self) -> None:
        """--py-spy / --profile: the first round's burst only."""
        if self.args.py_spy:  # py-spy --duration: longer than any burst measured
            self._py_spy = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(self.servers.procs[0].pid),
                 "--rate", "1000", "--format", "raw", "--duration", "3", "-o", self.args.py_spy],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)  # py-spy attaches
        if self.args.profile:  # start the server's profiler (wsgi.py toggles it on SIGUSR1)
            self.servers.signal(signal.SIGUSR1)

    def _stop_sampling(self) -> None:
        if self.args.profile:
            self.servers.signal(signal.SIGUSR1)
        if self._py_spy is not None:
            self._py_spy.wait()  # FILE is written when its --duration ends

    def stop(self) -> None:
        self.servers.stop()


class FloorSide:
    """The transport floor (bench/floor_server.py) and a crowd of the same size."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        port = args.port + 50
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor_server.py"), str(port)],
                                     stdout=(workdir / "floor.log").open("w"), stderr=subprocess.STDOUT)
        wait_up(f"{self.base}/count")
        self.crowd = Crowd([self.base], [f"floor-{i}" for i in range(args.clients)], 1)

    async def connect(self) -> None:
        await self.crowd.connect(self.args.connect_concurrency)

    async def burst(self, round_index: int) -> BurstResult:
        cpu_before = proc_cpu_seconds(self.proc.pid)

        async def open_poll() -> None:
            await asyncio.to_thread(http, "POST", f"{self.base}/open?entitled={self.args.clients}")

        result = await self.crowd.burst(open_poll, lambda poll: {"poll_id": 1, "choice": "yes"}, self.args.timeout)
        result.server_cpu_s_burst = proc_cpu_seconds(self.proc.pid) - cpu_before
        return result

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


#: seconds between two bursts
ROUND_PAUSE_S = 0.5


async def run_rounds(tavolo: TavoloSide, floor: FloorSide | None, rounds: int) -> tuple[list[BurstResult], list[BurstResult]]:
    """Both crowds connected, then the rounds: Tavolo's burst and the floor's alternately, in the
    order T F, F T, T F...: a machine that slows down or speeds up during the run weighs on both."""
    await tavolo.connect()
    if floor is not None:
        await floor.connect()
    ours: list[BurstResult] = []
    theirs: list[BurstResult] = []
    try:
        for r in range(rounds):
            sides = [(tavolo, ours), (floor, theirs)] if r % 2 == 0 else [(floor, theirs), (tavolo, ours)]
            for side, results in sides:
                if side is None:
                    continue
                results.append(await side.burst(r))
                await asyncio.sleep(ROUND_PAUSE_S)  # the last tallies and acks settle before the next burst
    finally:
        await tavolo.crowd.close()
        if floor is not None:
            await floor.crowd.close()
    return ours, theirs


def median_of(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def combine(results: list[BurstResult], connect_errors: list[str]) -> dict[str, Any]:
    """The rounds as one row: t_final_s and CPU are medians over rounds, acks are pooled over every
    ballot of every round, errors are summed (one failed round is a failure)."""
    pooled = BurstResult(clients=results[0].clients, connect_s=results[0].connect_s)
    for result in results:
        pooled.ack_latencies_ms.extend(result.ack_latencies_ms)
        pooled.errors.extend(result.errors)
    pooled.errors[:0] = connect_errors
    times = [r.t_final_s for r in results if r.t_final_s is not None]
    pooled.t_final_s = median_of(times)
    pooled.final_seen = min(r.final_seen for r in results)
    pooled.receipts = min(r.receipts for r in results)
    pooled.open_s = median_of([r.open_s for r in results if r.open_s is not None])
    summary = pooled.summary()
    summary["t_final_rounds"] = [round(t, 3) for t in times]
    summary["server_cpu_s_burst"] = median_of([r.server_cpu_s_burst for r in results])
    summary["server_cpu_rounds"] = [round(r.server_cpu_s_burst, 2) for r in results]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5,
                        help="bursts per side, Tavolo's and the floor's alternately (figures: median over rounds)")
    parser.add_argument("--port", type=int, default=5900)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--no-floor", action="store_true", help="skip the transport floor measurement")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="sample the server with py-spy for 3 s from the first burst (raw collapsed stacks into FILE)")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the server during the first burst into FILE (one process: FILE is overwritten by each)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs, database)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="tavolo-bench-"))
    floor = tavolo = None
    try:
        floor = None if args.no_floor else FloorSide(args, workdir)
        tavolo = TavoloSide(args, workdir)
        ours, theirs = asyncio.run(run_rounds(tavolo, floor, args.rounds))
        audit_errors = tavolo.verify_audit()
        cpu_total = tavolo.servers.cpu()
    finally:
        for side in (tavolo, floor):
            if side is not None:
                side.stop()
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    summary = combine(ours, tavolo.crowd.connect_errors + audit_errors) | tavolo.figures
    summary |= {"server_cpu_s_total": round(cpu_total, 2), "db_ballots": min(tavolo.db_ballots),
                "db": args.db, "processes": args.processes, "rounds": args.rounds}
    if theirs:
        floor_summary = combine(theirs, floor.crowd.connect_errors)
        summary["floor_t_final_s"] = floor_summary["t_final_s"]
        summary["floor_t_final_rounds"] = floor_summary["t_final_rounds"]
        summary["floor_ack_p50_ms"] = floor_summary["ack_p50_ms"]
        summary["floor_open_ms"] = floor_summary["open_ms"]
        summary["floor_errors"] = floor_summary["errors"]
        summary["floor_server_cpu_s_burst"] = floor_summary["server_cpu_s_burst"]
        if floor_summary["t_final_s"] and summary["t_final_s"]:
            summary["ratio"] = round(summary["t_final_s"] / floor_summary["t_final_s"], 2)
            # each round's Tavolo burst against the floor's burst beside it: how stable the ratio is
            summary["ratio_rounds"] = [round(t.t_final_s / f.t_final_s, 2) for t, f in zip(ours, theirs)
                                       if t.t_final_s and f.t_final_s]
        else:
            summary["ratio"] = None
    summary["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    if not args.json:
        for key, value in summary.items():
            print(f"{key:28} {value}")
    print(json.dumps(summary))
    sys.exit(1 if summary["errors"] else 0)


if __name__ == "__main__":
    main()
