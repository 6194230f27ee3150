"""Domain errors and how each face renders them (JSON error shape, friendly HTML page)."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A refusal by a service: it changed nothing. Faces turn it into 4xx responses."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    status = 409
    code = "conflict"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


def wants_json() -> bool:
    """API paths and clients that ask for JSON get the JSON error shape; browsers get a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response | tuple:
    from app.extensions import db

    db.session.rollback()  # a refusal changes nothing, even if a service flushed before failing
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify({"error": body}), status
    return render_template("errors/error.html", status=status, code=code, message=message, fields=fields or {}), status


def _http_message(exc: HTTPException) -> str:
    from flask_babel import gettext as _

    messages = {
        400: _("Richiesta non valida."),
        401: _("Accesso richiesto."),
        403: _("Non hai i permessi per questa operazione."),
        404: _("Pagina o risorsa non trovata."),
        405: _("Metodo non consentito."),
        413: _("Contenuto troppo grande."),
        429: _("Troppi tentativi: riprova tra poco."),
    }
    return messages.get(exc.code or 500, exc.description or "")


def concurrent_change() -> Conflict:
    """A unique index refused a row: another request did the same thing a moment before (two devices,
    two members of one organization). Services lock where both changes must succeed; elsewhere the
    later one is told plainly, and nothing of it is kept."""
    from flask_babel import gettext as _

    return Conflict(_("Un'altra richiesta ha appena fatto la stessa operazione: ricarica e verifica."),
                    code="concurrent_change")


def register_error_handlers(app: Flask) -> None:
    from sqlalchemy.exc import IntegrityError

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        return _domain_error(concurrent_change())

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        from flask_babel import gettext as _

        return error_response(422, "invalid_input", _("Dati non validi."), field_errors(exc.messages))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        fields = None
        data = getattr(exc, "data", None)
        if status == 422 and data and "messages" in data:
            # webargs/marshmallow validation failure: name each field that is wrong
            fields = field_errors(_flatten_messages(data["messages"]))
            from flask_babel import gettext as _

            return error_response(422, "invalid_input", _("Dati non validi."), fields)
        if status == 400 and data and "messages" in data:
            from flask_babel import gettext as _

            return error_response(400, "invalid_json", _("Il corpo della richiesta non è JSON valido."))
        if status == 400 and "CSRF" in (exc.description or ""):
            from flask_babel import gettext as _

            return error_response(400, "csrf_failed", _("Il modulo è scaduto o non è valido: ricarica la pagina e riprova."))
        return error_response(status, code, _http_message(exc) or exc.description or code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        app.logger.exception("unexpected error")
        from flask_babel import gettext as _

        return error_response(500, "internal_error", _("Errore interno: l'operazione non è stata eseguita."))


def field_errors(messages: Any) -> dict[str, Any]:
    """A marshmallow ValidationError's messages as the error shape's `fields` (field → messages),
    worded in the request's language (marshmallow's own are English: app.core.field_messages)."""
    from app.core.field_messages import localize_messages

    return localize_messages(messages if isinstance(messages, dict) else {"_": messages})


def _flatten_messages(messages: Any) -> Any:
    """webargs nests messages by location ({"json": {...}}); clients want field → messages
    (anything else is left to field_errors)."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "view_args", "files", "headers"}:
        flat: dict[str, Any] = {}
        for value in messages.values():
            if isinstance(value, dict):
                flat.update(value)
        return flat
    return messages
