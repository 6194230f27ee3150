"""Live-vote benchmark: N town-meeting participants vote at once over WebSocket.

    python bench/live_vote.py --clients 1000 [--db sqlite|postgresql] [--processes P] [--json]

Starts Tavolo as in production (gevent, one worker per process; with P > 1 the processes share
PostgreSQL and a Redis message queue and the load generator spreads clients across them, as a sticky
balancer would), creates a meeting with N access codes, redeems them through the real auth path
(`POST /api/v1/auth/code`), connects every participant over a raw WebSocket, opens a yes/no poll and
lets all vote on `poll_opened`. In the same run it measures the transport floor (bench/floor_server.py)
with the same clients and message sizes. Prints the figures; with --json the last line is one JSON object.
Correctness is checked, not assumed: the database must hold exactly N ballots and every client must
have seen a final tally of N.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
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

from bench.burst import BurstResult, run_burst  # noqa: E402

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

def setup_vote(base: str, n: int) -> tuple[str, int, int, list[str]]:
    """Chair token, a meeting with N redeemed access codes and a draft yes/no poll of that meeting."""
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
    poll = http("POST", f"{base}/api/v1/polls", {
        "title": "Approvazione delle priorità", "kind": "yesno", "meeting_id": meeting["id"],
        "electorate": "people", "majority": "simple",
    }, chair)
    return chair, meeting["id"], poll["id"], tokens


def run_tavolo(args: argparse.Namespace, workdir: Path) -> tuple[BurstResult, dict[str, Any]]:
    servers = Servers(args.db, args.processes, args.port, workdir)
    if args.profile:
        servers.env["TAVOLO_PROFILE"] = str(Path(args.profile).resolve())
    servers.prepare_database()
    servers.start()
    try:
        urls = servers.urls()
        chair, meeting_id, poll_id, tokens = setup_vote(urls[0], args.clients)
        rss_before = servers.rss()
        cpu_before = servers.cpu()

        async def open_poll() -> None:
            await asyncio.to_thread(http, "POST", f"{urls[0]}/api/v1/polls/{poll_id}/open", {}, chair)

        extra: dict[str, Any] = {}

        def connected() -> None:
            extra.update(rss_connected=servers.rss(), cpu_connected=servers.cpu())
            if args.py_spy:  # sample the burst (py-spy --duration: longer than any burst measured)
                extra["py_spy"] = subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(servers.procs[0].pid),
                     "--rate", "250", "--format", "raw", "--duration", "3", "-o", args.py_spy],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)  # py-spy attaches
            if args.profile:  # start the server's profiler: the burst alone (wsgi.py)
                servers.signal(signal.SIGUSR1)

        result = asyncio.run(run_burst(
            urls, tokens, meeting_id, open_poll,
            lambda poll: {"poll_id": poll.get("id", poll_id), "choice": "yes"},
            connect_concurrency=args.connect_concurrency, timeout_s=args.timeout,
            on_connected=connected,
        ))
        if args.profile:
            servers.signal(signal.SIGUSR1)
        if "py_spy" in extra:
            extra["py_spy"].wait()  # FILE is written when its --duration ends
        cpu_burst = servers.cpu() - extra.get("cpu_connected", cpu_before)
        poll = http("GET", f"{urls[0]}/api/v1/polls/{poll_id}", token=chair)
        if poll.get("voted") != args.clients:
            result.errors.append(f"database holds {poll.get('voted')} ballots, expected {args.clients}")
        if result.final_seen != args.clients:
            result.errors.append(f"{result.final_seen}/{args.clients} clients saw the final tally")
        http("POST", f"{urls[0]}/api/v1/polls/{poll_id}/close", {}, chair)
        verify = http("GET", f"{urls[0]}/api/v1/audit/verify")
        if not verify.get("ok"):
            result.errors.append(f"audit chain broken: {verify}")
        figures = {
            "server_cpu_s_burst": round(cpu_burst, 2),
            "server_cpu_s_total": round(servers.cpu() - cpu_before, 2),
            "memory_per_connection_kb": round((extra.get("rss_connected", rss_before) - rss_before) / max(1, args.clients) / 1024, 1),
            "db_ballots": poll.get("voted"),
        }
        return result, figures
    finally:
        servers.stop()


def run_floor(args: argparse.Namespace, workdir: Path) -> BurstResult:
    port = args.port + 50
    log = (workdir / "floor.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor_server.py"), str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/count")

        async def open_poll() -> None:
            await asyncio.to_thread(http, "POST", f"{base}/open?entitled={args.clients}")

        cpu: dict[str, float] = {}
        result = asyncio.run(run_burst(
            [base], [f"floor-{i}" for i in range(args.clients)], 1, open_poll,
            lambda poll: {"poll_id": 1, "choice": "yes"},
            connect_concurrency=args.connect_concurrency, timeout_s=args.timeout,
            on_connected=lambda: cpu.update(connected=proc_cpu_seconds(proc.pid)),
        ))
        result.server_cpu_s_burst = proc_cpu_seconds(proc.pid) - cpu.get("connected", 0.0)
        return result
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--port", type=int, default=5900)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--no-floor", action="store_true", help="skip the transport floor measurement")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="sample the server with py-spy for 3 s from the burst (raw collapsed stacks into FILE)")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the server during the burst into FILE (one process: FILE is overwritten by each)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs, database)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tavolo-bench-"))
    try:
        floor = None if args.no_floor else run_floor(args, workdir)
        result, figures = run_tavolo(args, workdir)
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    summary = result.summary() | figures | {"db": args.db, "processes": args.processes}
    if floor is not None:
        floor_summary = floor.summary()
        summary["floor_t_final_s"] = floor_summary["t_final_s"]
        summary["floor_ack_p50_ms"] = floor_summary["ack_p50_ms"]
        summary["floor_errors"] = floor_summary["errors"]
        summary["floor_server_cpu_s_burst"] = round(floor.server_cpu_s_burst, 2)
        if floor_summary["t_final_s"] and summary["t_final_s"]:
            summary["ratio"] = round(summary["t_final_s"] / floor_summary["t_final_s"], 2)
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
