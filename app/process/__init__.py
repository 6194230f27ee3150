"""The participatory process: its phases, priority axes and home page; the demo loader."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api as rest
    from app.process import api, cli, views

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.seed_demo)
