"""Open data (issue 7): the table's public record as one ZIP of CSV + JSON files, for anyone.

The package has no tables of its own: it reads the other domains' models through an allow-list of
public columns (app.opendata.export) and serves the result at `GET /api/v1/export.zip`.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the export route on the JSON API (so it appears in the OpenAPI document)."""
    from app.extensions import api as rest
    from app.opendata import api

    rest.register_blueprint(api.blp)
