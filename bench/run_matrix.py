"""`make bench`: the live-vote matrix N ∈ {100, 500, 1000, 2000} × {sqlite, postgresql} (and 300 on SQLite), plus a
two-process PostgreSQL + Redis run, written to docs/performance.md with the machine and how to reproduce.

Each run already votes five rounds, Tavolo and the floor alternately, and reports medians
(bench/live_vote.py --rounds). Each configuration runs BENCH_REPEAT times (default 1) and the table
shows the run with the median t_final_s, with the range of all of them.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = ([(n, "sqlite", 1) for n in (100, 300, 500, 1000, 2000)] + [(n, "postgresql", 1) for n in (100, 500, 1000, 2000)]
        + [(1000, "postgresql", 2)])
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
COLUMNS = ["clients", "db", "processes", "t_final_s", "t_final_range", "floor_t_final_s", "ratio", "ratio_range",
           "ack_p50_ms", "ack_p99_ms", "ballots_per_s", "connect_s", "server_cpu_s_burst", "floor_server_cpu_s_burst",
           "memory_per_connection_kb", "errors"]


def run(n: int, db: str, processes: int) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "live_vote.py"), "--clients", str(n), "--db", db,
           "--processes", str(processes), "--json"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in out.stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        return {"clients": n, "db": db, "processes": processes, "errors": f"run failed: {out.stderr[-300:]}"}
    return json.loads(lines[-1])


def median_run(runs: list[dict]) -> dict:
    """The run with the median t_final_s, with the range of t_final_s and ratio over all runs; errors
    are the sum over all runs (one failed run is a failure, whatever the others did)."""
    timed = sorted((r for r in runs if isinstance(r.get("t_final_s"), (int, float))), key=lambda r: r["t_final_s"])
    row = dict(timed[len(timed) // 2] if timed else runs[-1])
    if timed:
        row["t_final_range"] = f"{timed[0]['t_final_s']}–{timed[-1]['t_final_s']}"
        ratios = [r["ratio"] for r in timed if isinstance(r.get("ratio"), (int, float))]
        row["ratio_range"] = f"{min(ratios)}–{max(ratios)}" if ratios else ""
    errors = [r.get("errors") for r in runs]
    row["errors"] = sum(e for e in errors if isinstance(e, int)) if all(isinstance(e, int) for e in errors) else errors
    return row


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "?")
    return f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, {platform.platform()}, Python {platform.python_version()}"


def main() -> None:
    rows = []
    for n, db, processes in RUNS:
        runs = []
        for _ in range(REPEAT):
            runs.append(run(n, db, processes))
            print(json.dumps(runs[-1]), flush=True)
        rows.append(median_run(runs))
    table = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        table.append("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else ""
    marker = "<!-- bench:results -->"
    block = (f"{marker}\nMeasured {dt.date.today().isoformat()} on {machine()}; load generator on the same machine; "
             f"median of {REPEAT} runs per row (by t_final_s).\n\n"
             + "\n".join(table) + f"\n{marker}")
    if marker in text:
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        text = head + block + tail
    else:
        text = text + "\n" + block + "\n"
    doc.write_text(text)
    print(f"written {doc}")


if __name__ == "__main__":
    main()
