"""The JSON API base: flask-smorest with Tavolo's error shape and Bearer-token security scheme."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Api, Blueprint

from app.core.routing import ID_MAX


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict()


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


class TavoloApi(Api):
    """flask-smorest Api whose errors use `{"error": {"code", "message"}}` (see interface.md).

    Error rendering is registered once for the whole app in app.core.errors, so HTML pages and
    the API share one set of handlers; here we only keep smorest from installing its own.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:  # noqa: D401 - hook of flask_smorest.Api
        return None

    def init_app(self, app: Any, *, spec_kwargs: dict | None = None) -> None:
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}
        )
        self.spec.options["security"] = [{"bearerAuth": []}, {}]


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of the JSON API, mounted under /api/v1."""
    return Blueprint(name, import_name, url_prefix="/api/v1", description=description)


def id_field(*, strict: bool = True, **kw: Any) -> ma.fields.Integer:
    """An id in a request: an integer that can name a row (1..ID_MAX), so a huge number is a 422
    and never reaches the database driver. `strict` (bodies) refuses "3" and 3.0; query strings
    are text, so their ids are not strict."""
    return ma.fields.Integer(strict=strict, validate=ma.validate.Range(min=1, max=ID_MAX), **kw)


class IdSchema(ma.Schema):
    id = id_field(required=True)


class StrictSchema(ma.Schema):
    """Request bodies reject unknown fields, so a typo is an error and not a silent no-op."""

    class Meta:
        unknown = ma.RAISE
