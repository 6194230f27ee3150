"""Throttling: credential guessing (login form, API token, town-meeting access codes) and live events."""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from app.extensions import limiter


def _credential_key() -> str:
    """Per client address and per account tried, so one user cannot lock out a whole venue Wi-Fi."""
    identity = ""
    if request.is_json:
        body = request.get_json(silent=True) or {}
        identity = str(body.get("email") or body.get("code") or "") if isinstance(body, dict) else ""
    else:
        identity = request.form.get("email") or request.form.get("code") or ""
    return f"{get_remote_address()}|{identity.strip().lower()[:254]}"


def _failed(response) -> bool:
    return response.status_code in (401, 404, 409, 422)


def _failures_limit(setting: str, key_func: Callable[[], str]):
    """A limit on failed attempts only (a right answer never counts), read from the config per request."""
    return limiter.limit(lambda: current_app.config[setting], key_func=key_func, methods=["POST"],
                         deduct_when=_failed, error_message="too_many_attempts")


login_limit = _failures_limit("LOGIN_RATE_LIMIT", _credential_key)

#: Access codes: a guesser types a different code each time, so the key is the address alone, and
#: only failures count (a venue's shared Wi-Fi address serves hundreds who type their code right).
#: The code space (29^10) already makes guessing hopeless; this keeps a scanner from trying.
code_limit = _failures_limit("CODE_RATE_LIMIT", get_remote_address)


#: where a live connection counts its events: its own Socket.IO session (per connection, dies with it)
LIVE_WINDOW_KEY = "tavolo_live_event_window"


@lru_cache(maxsize=8)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def live_event_allowed() -> bool:
    """Counts one event of the current live connection in a fixed window; False once it exceeds
    LIVE_EVENT_RATE_LIMIT, so one runaway or hostile client cannot keep a worker busy for the room.

    The count lives in the connection's own session, not in a `limits` storage: a connection is served
    by one process, and `limits`' memory storage starts a timer thread every few milliseconds to expire
    keys, which under gevent is a context switch on the hot path of every ballot."""
    limit = _parsed(current_app.config["LIVE_EVENT_RATE_LIMIT"])
    now = time.monotonic()
    started, count = session.get(LIVE_WINDOW_KEY, (now, 0))
    if now - started >= limit.get_expiry():
        started, count = now, 0
    session[LIVE_WINDOW_KEY] = (started, count + 1)
    return count + 1 <= limit.amount
