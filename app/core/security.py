"""HTTP security headers (no inline scripts, no framing, no MIME sniffing) and the session cookie's signing."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask, Response, current_app
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # Bootstrap Italia sets style attributes from its JavaScript (collapses, tooltips)
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
])


def apply_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def is_local_path(target: str | None) -> bool:
    """True for a path on this site ("/organizations?x=1"), false for anything that leaves it.

    Refuses "//host", "/\\host" (browsers read a backslash as a slash), schemes and control
    characters, so `next=` and language-switch redirects cannot send users elsewhere.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parsed = urlparse(target)
    return not parsed.scheme and not parsed.netloc


class ReusedSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, with the signing serializer built once per secret key.

    Flask builds it for every request, and Flask-SocketIO pushes a request context for every live
    event; building it (itsdangerous probes the JSON serializer) cost more than writing the ballot
    (bench/live_vote.py with py-spy: a fifth of the server's time in a 1,000-voter burst).
    """

    _CACHE_KEY = "tavolo_session_serializer"

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get(self._CACHE_KEY)
        if cached is None or cached[0] != key:
            cached = (key, super().get_signing_serializer(app))
            app.extensions[self._CACHE_KEY] = cached
        return cached[1]
