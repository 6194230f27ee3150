"""Production entry point: `gunicorn -k gevent -w 1 wsgi:app` (see docs/deployment.md).

`python wsgi.py` serves on 127.0.0.1:$PORT with gevent, as `make run` does.
"""
import os

if os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent" and os.environ.get("TAVOLO_NO_MONKEYPATCH") != "1":
    from gevent import monkey

    monkey.patch_all()

from app import create_app  # noqa: E402
from app.extensions import socketio  # noqa: E402

app = create_app()


def _profile_until_terminated(path: str) -> None:
    """TAVOLO_PROFILE=<file>: profile the whole server (cProfile) and write the stats on SIGTERM,
    e.g. around a `bench/live_vote.py` run; read them with `python -m pstats <file>`."""
    import cProfile
    import signal

    profiler = cProfile.Profile()

    def stop(signum, frame):
        profiler.disable()
        profiler.dump_stats(path)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    profiler.enable()


if __name__ == "__main__":
    if os.environ.get("TAVOLO_PROFILE"):
        _profile_until_terminated(os.environ["TAVOLO_PROFILE"])
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Tavolo on http://{host}:{port}", flush=True)
    socketio.run(app, host=host, port=port, log_output=os.environ.get("TAVOLO_ACCESS_LOG") == "1")
