"""The vote engine: yes/no motions, choices and priority rankings, with quorum, majorities, proxies,
secret ballots with receipts, stored results (Borda, Schulze, instant runoff) and coalesced live tallies.

Other domains plug in through app.votes.hooks (`register_people_electorate`,
`register_subject_handler`) and read polls with app.votes.services (`poll_dict`, `meeting_polls`).
"""
from __future__ import annotations

from typing import Any

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
    _plug_into_meetings()
    from app.votes.consequences import register_consequences

    register_consequences()


def _plug_into_meetings() -> None:
    """The live meeting pages show the meeting's polls (snapshot part "polls") and let the chair
    run them and members vote from the #live-vote region (static/js/meeting_votes.js)."""
    from app.meetings.snapshot import register_page_messages, register_page_script, register_snapshot_part
    from app.votes.hooks import register_people_electorate
    from app.votes.meeting_page import vote_messages
    from app.votes.services import meeting_polls

    register_snapshot_part("polls", lambda session, meeting, user: meeting_polls(session, meeting.id, user))
    register_page_script("js/meeting_votes.js")
    register_page_messages("votes", vote_messages)
    register_people_electorate(town_meeting_roll)


def town_meeting_roll(session: Any, poll: Any) -> list[int] | None:
    """A `people` poll of a meeting that hands out access codes is the town meeting's: its roll is
    the participants who joined with a code (None: not a town meeting, the default roll applies)."""
    from app.meetings.access_codes import meeting_participant_ids
    from app.votes.meeting_page import has_access_codes

    if poll.meeting_id is None or not has_access_codes(session, poll.meeting_id):
        return None
    return meeting_participant_ids(session, poll.meeting_id)
