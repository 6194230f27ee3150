"""The table's organizations, their representatives and their adhesions to the TdN."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api as rest
    from app.organizations import api, views

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
