"""Configuration classes. Environment variables override the defaults (see docs/deployment.md)."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_DEV_KEY = "dev-only-not-secret"


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'tavolo.db'}"
    )
    #: no pool_pre_ping: connections idle for a while are pinged before use (app.core.db._ping_after_idle)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Socket.IO message queue (Redis URL); needed when more than one process serves /live.
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    #: Redis channel of the queue: deployments (or test runs) sharing one Redis keep apart by name.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "tavolo")
    #: gevent in production and `make run`; tests use threading (no monkey patching in pytest).
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    #: None = same origin only; a list of origins ("https://tdn.example.it") widens it explicitly.
    SOCKETIO_CORS_ALLOWED_ORIGINS = _env_list("SOCKETIO_CORS_ALLOWED_ORIGINS")
    #: Largest Socket.IO payload accepted from a client, in bytes.
    SOCKETIO_MAX_HTTP_BUFFER_SIZE = 64 * 1024
    #: Events one live connection may send (a phone sends a few per minute; a reconnect a handful at once).
    LIVE_EVENT_RATE_LIMIT = os.environ.get("LIVE_EVENT_RATE_LIMIT", "20 per second")
    #: Live tallies: one per interval while ballots stream in, the count at once when they pause for
    #: the quiet time (app.votes.live).
    VOTES_TALLY_INTERVAL = float(os.environ.get("VOTES_TALLY_INTERVAL", "0.25"))
    VOTES_TALLY_QUIET = float(os.environ.get("VOTES_TALLY_QUIET", "0.02"))
    #: Most ballots written in one transaction by the group commit (app.votes.batching).
    VOTES_BATCH_MAX = int(os.environ.get("VOTES_BATCH_MAX", "500"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    #: CSRF is checked in a before_request hook, so Bearer-token API calls can skip it.
    WTF_CSRF_CHECK_DEFAULT = False

    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    LANGUAGES = ["it", "en"]
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed logins (or access codes) allowed per client address and account in a minute.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    #: failed access-code attempts per client address (the venue's Wi-Fi is one address for everyone)
    CODE_RATE_LIMIT = os.environ.get("CODE_RATE_LIMIT", "60 per minute")

    API_TITLE = "Tavolo API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    #: argon2id cost (argon2.PasswordHasher arguments); empty = the library's RFC 9106 defaults
    ARGON2_PARAMS: dict = {}

    API_TOKEN_TTL_HOURS = 24 * 7
    INVITATION_TTL_HOURS = 72
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    DEMO_PASSWORD = None  # only the demo loader knows the demo password


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_MESSAGE_QUEUE = None
    RATELIMIT_ENABLED = False
    #: tests (the socket fuzz above all) send events faster than any phone; the limit has its own test
    LIVE_EVENT_RATE_LIMIT = "100000 per second"
    WTF_CSRF_ENABLED = True
    #: tests flush tallies themselves; a background task left by one test would race the next one
    VOTES_TALLY_AUTOSTART = False
    SERVER_NAME = None
    #: cheap hashes: the suite creates hundreds of accounts (still argon2id, still salted)
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a guessable key: sessions and CSRF tokens depend on it.

        Checks the key the app will actually use (the class attribute, read from the environment
        at import), not the environment again: they can differ, and a subclass may set its own.
        """
        key = cls.SECRET_KEY or ""
        if key == INSECURE_DEV_KEY or len(key) < 32:
            raise RuntimeError(
                "ProductionConfig needs SECRET_KEY in the environment (at least 32 random characters)."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("TAVOLO_CONFIG", "development")]
