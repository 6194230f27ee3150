"""Throttling: credential guessing (login form, API token, town-meeting access codes) and live events."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

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


login_limit = limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_credential_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="too_many_attempts",
)


#: live events are counted per connection, and a connection lives in one process: this process's memory
#: is the right store (no round trip to Redis on the hot path of a vote)
_live_events = FixedWindowRateLimiter(MemoryStorage())


@lru_cache(maxsize=8)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def live_event_allowed(connection_id: str) -> bool:
    """Counts one event of a live connection; False once it exceeds LIVE_EVENT_RATE_LIMIT, so one
    runaway or hostile client cannot keep a worker busy for the rest of the room."""
    return _live_events.hit(_parsed(current_app.config["LIVE_EVENT_RATE_LIMIT"]), "live", connection_id)
