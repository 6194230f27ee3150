"""The vote engine: yes/no motions, choices and priority rankings, with quorum, majorities, proxies,
secret ballots with receipts, stored results (Borda, Schulze, instant runoff) and coalesced live tallies.

Other domains plug in through app.votes.hooks (`register_people_electorate`,
`register_subject_handler`) and read polls with app.votes.services (`poll_dict`, `meeting_polls`).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.extensions import api as rest
    from app.registry import add_demo_seeder, add_home_panel, add_nav
    from app.votes import api, cli, demo, sockets, views  # noqa: F401  (sockets registers handlers)
    from app.votes.live import broadcaster

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.polls_cli)
    add_nav(app, 60, "votes.index", _l("Votazioni"))
    add_home_panel(app, views.home_panel)
    add_demo_seeder(app, 60, demo.seed)
    broadcaster(app)  # created now, started lazily by the first committed ballot
