"""Tavolo: deliberation and live voting for a Tavolo di Negoziazione (LR 15/2018)."""
from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, g, request, session

#: Domain packages, in dependency order. Each exposes init_app(app) and a models module.
DOMAINS = [
    "app.audit",
    "app.auth",
    "app.organizations",
    "app.process",
    "app.meetings",
    "app.deliberation",
    "app.proposals",
    "app.votes",
    "app.pact",
    "app.opendata",
    "app.records",
    "app.ops",
]


def import_models() -> None:
    """Import every domain's models so the metadata (and Alembic) sees the whole schema."""
    for domain in DOMAINS:
        importlib.import_module(f"{domain}.models")


def create_app(config_class: Any = None) -> Flask:
    from config import ProductionConfig, config_from_env

    config_class = config_class or config_from_env()
    if isinstance(config_class, type) and issubclass(config_class, ProductionConfig):
        config_class.check()

    from app.core.live_context import TavoloFlask

    app = TavoloFlask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    app.config.from_object(config_class)
    from app.core.routing import install_converters

    install_converters(app)
    from app.core.security import ReusedSerializerSessionInterface

    app.session_interface = ReusedSerializerSessionInterface()
    _ensure_sqlite_dir(app)

    from app.core.errors import register_error_handlers
    from app.extensions import api, babel, csrf, db, limiter, migrate, socketio
    from app.registry import init_registry

    import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        **_message_queue_options(app.config),
        cors_allowed_origins=app.config["SOCKETIO_CORS_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        manage_session=True,
    )
    register_error_handlers(app)
    init_registry(app)
    for domain in DOMAINS:
        importlib.import_module(domain).init_app(app)

    _register_shell(app)
    return app


def _message_queue_options(config: Any) -> dict[str, Any]:
    """Redis gets Tavolo's manager (ending a user's connections on every process), one process
    without a queue the same room index; other queues Flask-SocketIO's own, by URL."""
    from app.core.realtime import EndingRedisManager, IndexedManager

    url, channel = config["SOCKETIO_MESSAGE_QUEUE"], config["SOCKETIO_CHANNEL"]
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": EndingRedisManager(url, channel=channel)}
    if not url:
        return {"client_manager": IndexedManager()}
    return {"message_queue": url, "channel": channel}


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _ensure_sqlite_dir(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri != "sqlite://":
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def select_locale(user: Any = None) -> str:
    """Italian first: an explicit ?lang=, then the session's choice, then the account's (`user`, by
    default the logged-in one), else Italian. A live event speaks its connection's language."""
    return connection_locale() or choose_locale(user)


def connection_locale() -> str | None:
    """A live event's language: its connection's, chosen once at connect (app.auth.sockets.on_connect
    calls choose_locale); None outside a live event."""
    from flask import current_app, has_request_context

    from app.core.live_context import in_live_event

    if has_request_context() and in_live_event(request):
        lang = session.get("lang")
        if lang in current_app.config["LANGUAGES"]:
            return lang
    return None


def choose_locale(user: Any = None) -> str:
    """select_locale's choice for an HTTP request or a live connection's handshake."""
    from flask import current_app, has_request_context
    from flask_login import current_user

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if user is None:
        user = current_user
    locale = getattr(user, "locale", None) if user else None
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_shell(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, get_locale
    from flask_wtf.csrf import generate_csrf

    from app.core.security import apply_security_headers
    from app.registry import nav_items

    @app.context_processor
    def shell_context() -> dict:
        return {"nav_items": nav_items, "current_locale": lambda: str(get_locale()), "csrf_token": generate_csrf}

    app.jinja_env.filters["format_date"] = lambda value: format_date(value, "long") if value else ""
    app.jinja_env.filters["format_datetime"] = lambda value: format_datetime(value, "medium") if value else ""
    app.after_request(apply_security_headers)
