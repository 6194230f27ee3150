"""Meetings of the table: agenda, current item, presence, speakers, projector, town-meeting codes.

Live voting plugs in from the votes domain through app.meetings.snapshot (register_snapshot_part,
register_page_script) and the #live-vote region of the live pages (see static/js/meetings.js).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.extensions import api as rest
    from app.meetings import api, demo, sockets, views  # noqa: F401  (sockets registers handlers)
    from app.registry import add_demo_seeder, add_home_panel, add_nav

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    add_nav(app, 50, "meetings.index", _l("Incontri"))
    add_home_panel(app, views.home_panel)
    add_demo_seeder(app, 50, demo.seed)
