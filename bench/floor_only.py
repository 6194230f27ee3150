"""Quick check of the load generator against the floor server alone: python -m bench.floor_only N"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.burst import run_burst

ROOT = Path(__file__).resolve().parent.parent


def http_post(url: str) -> bytes:
    return urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b""), timeout=30).read()


def wait_up(url: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    port = 5098
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor_server.py"), str(port)])
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/count")

        async def open_poll():
            await asyncio.to_thread(http_post, f"{base}/open?entitled={n}")

        res = asyncio.run(run_burst(base, [f"t{i}" for i in range(n)], 1, open_poll, lambda poll: {"poll_id": 1, "choice": "yes"}))
        print(json.dumps(res.summary()))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
