"""Accounts, roles, login, invitations and API tokens."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.auth import api, cli, loaders, sockets, views  # noqa: F401  (sockets registers handlers)
    from app.extensions import api as rest

    loaders.init_login(app)
    sockets.register_handlers()
    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.users_cli)
