"""Throttling of credential guessing (login form, API token, town-meeting access codes)."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

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
