"""`make bench`: the live-vote matrix N ∈ {100, 500, 1000, 2000} × {sqlite, postgresql}, plus a
two-process PostgreSQL + Redis run, written to docs/performance.md with the machine and how to reproduce.
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
RUNS = [(n, db, 1) for db in ("sqlite", "postgresql") for n in (100, 500, 1000, 2000)] + [(1000, "postgresql", 2)]
COLUMNS = ["clients", "db", "processes", "t_final_s", "floor_t_final_s", "ratio", "ack_p50_ms", "ack_p99_ms",
           "ballots_per_s", "connect_s", "server_cpu_s_burst", "memory_per_connection_kb", "errors"]


def run(n: int, db: str, processes: int) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "live_vote.py"), "--clients", str(n), "--db", db,
           "--processes", str(processes), "--json"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in out.stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        return {"clients": n, "db": db, "processes": processes, "errors": f"run failed: {out.stderr[-300:]}"}
    return json.loads(lines[-1])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "?")
    return f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, {platform.platform()}, Python {platform.python_version()}"


def main() -> None:
    rows = []
    for n, db, processes in RUNS:
        row = run(n, db, processes)
        print(json.dumps(row), flush=True)
        rows.append(row)
    table = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        table.append("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else ""
    marker = "<!-- bench:results -->"
    block = (f"{marker}\nMeasured {dt.date.today().isoformat()} on {machine()}; load generator on the same machine.\n\n"
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
