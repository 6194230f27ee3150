"""Authentication of live connections: `auth={"token": ...}` or the session cookie; anonymous refused."""
from __future__ import annotations

from typing import Any, Callable

from flask import request, session
from flask_login import current_user

from app.core.realtime import NAMESPACE, end_local_connections, user_room
from app.extensions import db, socketio

SESSION_USER_KEY = "live_user_id"
#: every /live handler (event, function), so that each new Socket.IO server gets all of them
_HANDLERS: list[tuple[str, Callable]] = []


def _register(event: str, handler: Callable) -> None:
    _HANDLERS.append((event, handler))
    socketio.on_event(event, handler, namespace=NAMESPACE)


def register_handlers() -> None:
    """Bind every known /live handler to the current Socket.IO server.

    Flask-SocketIO binds a handler to the server that exists when it is declared, and each
    `socketio.init_app` makes a new server; handler modules are imported once per process. So a
    second create_app() in the same process (tests, tools) got a server without handlers, and every
    socket was refused. Called by the auth domain's init_app, after the server exists.
    """
    for event, handler in _HANDLERS:
        socketio.on_event(event, handler, namespace=NAMESPACE)


def _user_from_auth(auth: Any):
    from app.auth.services import user_for_token

    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return user_for_token(db.session, auth["token"])
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def on_connect(auth: Any = None):
    from flask_socketio import ConnectionRefusedError, join_room

    from app import choose_locale

    user = _user_from_auth(auth)
    db.session.remove()
    if user is None:
        # the client gets {"message": "unauthorized", "data": {"code", "message"}} (Socket.IO connect_error)
        raise ConnectionRefusedError("unauthorized", {"code": "unauthorized", "message": "authentication required"})
    session[SESSION_USER_KEY] = user.id
    # the language is chosen once per connection (it was the costliest lookup of every live event)
    session["lang"] = choose_locale(user)
    join_room(user_room(user.id))
    return True


_register("connect", on_connect)


def live_user():
    """The connection's user, reloaded for every event so revoked or deactivated users lose access."""
    from app.auth.models import User

    user_id = live_user_id()
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def disconnect_user(user_id: int) -> None:
    """End every live connection of a user, on every process (logout, revoked token or code).

    The client is told first (`logged_out`), then the server cuts the connection whatever the client
    does: here directly, on the other processes by closing the user's room through the message queue
    (EndingRedisManager)."""
    room = user_room(user_id)
    socketio.emit("logged_out", {}, to=room, namespace=NAMESPACE)
    end_local_connections(socketio.server.manager, room)
    socketio.close_room(room, namespace=NAMESPACE)


def sid() -> str:
    return request.sid  # type: ignore[attr-defined]


def live_user_id() -> int | None:
    """The connection's user id as authenticated at connect, without loading the user."""
    return session.get(SESSION_USER_KEY)


def live_handler(event: str, *, user_id_only: bool = False):
    """Register a /live event handler with Tavolo's contract.

    The handler receives (user, payload) with payload guaranteed to be a dict. It returns the ack
    body; DomainError becomes `{"ok": false, "error": {...}}`; the session is rolled back on error
    and always released, so one bad client never affects the others.

    `user_id_only`: the handler gets the user's id instead of the reloaded user, for the hot path of
    a vote, whose writer loads (and checks active) every voter of a batch in one query.
    """
    import functools
    import logging

    from flask_babel import gettext as _
    from sqlalchemy.exc import IntegrityError

    from app.core.errors import DomainError, concurrent_change
    from app.core.ratelimit import live_event_allowed

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(payload: Any = None, *extra: Any):
            try:
                if not live_event_allowed():
                    return {"ok": False, "error": {"code": "rate_limited", "message": _("Troppe richieste: riprova tra poco.")}}
                user = live_user_id() if user_id_only else live_user()
                if user is None:
                    return {"ok": False, "error": {"code": "unauthorized", "message": _("Accesso richiesto.")}}
                if payload is None:
                    payload = {}
                if extra or not isinstance(payload, dict):  # one object, nothing else (extra args raised TypeError)
                    return {"ok": False, "error": {"code": "invalid_input", "message": _("Dati non validi.")}}
                result = fn(user, payload)
                return {"ok": True, **(result or {})}
            except DomainError as exc:
                db.session.rollback()
                return {"ok": False, **exc.to_dict()}
            except IntegrityError:
                db.session.rollback()
                return {"ok": False, **concurrent_change().to_dict()}
            except Exception:
                db.session.rollback()
                logging.getLogger(__name__).exception("live event %s failed", event)
                return {"ok": False, "error": {"code": "internal_error", "message": _("Errore interno.")}}
            finally:
                db.session.remove()

        _register(event, wrapper)
        return wrapper

    return decorator
