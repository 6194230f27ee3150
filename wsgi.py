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


def _tune_garbage_collector() -> None:
    """Fewer cyclic-GC passes: with a thousand live connections the heap holds millions of objects
    and each full collection took 0.1-0.2 s, several per live vote burst, all on the one core that
    serves the room (bench/live_vote.py: server CPU per burst 1.05 s -> 0.85 s). Reference counting
    still frees almost everything at once; the collector only finds cycles, so it can run rarely.
    TAVOLO_GC_THRESHOLDS="700,10,10" restores CPython's defaults.

    The application's own objects (modules, routes, metadata, translations: some 180,000, which a
    full collection walked in about 0.1 s) live as long as the process: they are moved out of the
    collector's sight (gc.freeze) once startup is done, so a full collection in a burst walks only
    what the connections and requests made."""
    import gc

    thresholds = os.environ.get("TAVOLO_GC_THRESHOLDS", "50000,20,100")
    gc.set_threshold(*(int(part) for part in thresholds.split(",")))
    gc.collect()  # startup's garbage goes now, not into the permanent generation
    gc.freeze()


_tune_garbage_collector()


def _profile_on_signal(path: str) -> None:
    """TAVOLO_PROFILE=<file>: profile the server (cProfile) between two SIGUSR1 (the benchmark sends
    them around the burst, so connecting a thousand clients does not drown the ballot path) and write
    the stats to <file> on the second one, or on SIGTERM; read them with `python -m pstats <file>`."""
    import cProfile
    import signal

    profiler = cProfile.Profile()
    state = {"on": False}

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(path)

    def toggle(signum, frame):
        if state["on"]:
            dump()
        else:
            profiler.enable()
        state["on"] = not state["on"]

    def stop(signum, frame):
        if state["on"]:
            dump()
        raise SystemExit(0)

    signal.signal(signal.SIGUSR1, toggle)
    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":
    if os.environ.get("TAVOLO_PROFILE"):
        _profile_on_signal(os.environ["TAVOLO_PROFILE"])
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Tavolo on http://{host}:{port}", flush=True)
    socketio.run(app, host=host, port=port, log_output=os.environ.get("TAVOLO_ACCESS_LOG") == "1")
