"""The tamper-evident audit chain: every state change appends a hash-chained entry."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.audit import api, cli, views
    from app.extensions import api as rest

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.audit_cli)
