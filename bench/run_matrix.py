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
#: each size's SQLite and PostgreSQL runs back to back: the VM's speed drifts, and the two are compared
RUNS = ([(100, "sqlite", 1), (100, "postgresql", 1), (300, "sqlite", 1), (500, "sqlite", 1), (500, "postgresql", 1),
         (1000, "sqlite", 1), (1000, "postgresql", 1), (2000, "sqlite", 1), (2000, "postgresql", 1)]
        + [(1000, "postgresql", 2)])
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
COLUMNS = ["clients", "db", "processes", "t_final_s", "t_final_range", "floor_t_final_s", "ratio", "ratio_range",
           "open_ms", "ack_p50_ms", "ack_p99_ms", "ballots_per_s", "connect_s", "server_cpu_s_burst", "floor_server_cpu_s_burst",
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
    """The run with the median t_final_s, with the range of t_final_s and ratio over every round of
    every run; errors are the sum over all runs (one failed run is a failure, whatever the others did)."""
    timed = sorted((r for r in runs if isinstance(r.get("t_final_s"), (int, float))), key=lambda r: r["t_final_s"])
    row = dict(timed[len(timed) // 2] if timed else runs[-1])
    if timed:
        row["t_final_range"] = value_range([t for r in timed for t in r.get("t_final_rounds") or [r["t_final_s"]]])
        row["ratio_range"] = value_range([q for r in timed for q in r.get("ratio_rounds") or [r.get("ratio")]
                                          if isinstance(q, (int, float))])
    errors = [r.get("errors") for r in runs]
    row["errors"] = sum(e for e in errors if isinstance(e, int)) if all(isinstance(e, int) for e in errors) else errors
    return row


def value_range(values: list[float]) -> str:
    return f"{min(values)}–{max(values)}" if values else ""


def postgresql_against_sqlite(rows: list[dict]) -> list[str]:
    """For each size measured on both, one process: PostgreSQL's t_final_s over SQLite's (runs a few
    minutes apart, so the VM's drift is in it) and the same over each run's own floor (ratio over
    ratio), which the drift cancels out of."""
    single = {(r["clients"], r["db"]): r for r in rows if r.get("processes") == 1}
    lines = ["| clients | postgresql t_final_s | sqlite t_final_s | pg / sqlite | pg / sqlite, each against its floor |",
             "|---|---|---|---|---|"]
    for (n, db), pg in sorted(single.items()):
        lite = single.get((n, "sqlite"))
        if db != "postgresql" or not lite or not all(isinstance(r.get(k), (int, float)) for r in (pg, lite)
                                                     for k in ("t_final_s", "ratio")):
            continue
        lines.append(f"| {n} | {pg['t_final_s']} | {lite['t_final_s']} | {pg['t_final_s'] / lite['t_final_s']:.2f} "
                     f"| {pg['ratio'] / lite['ratio']:.2f} |")
    return lines


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
             + "\n".join(table) + "\n\nPostgreSQL against SQLite, same size, one process:\n\n"
             + "\n".join(postgresql_against_sqlite(rows)) + f"\n{marker}")
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
