"""Shared deliberation machinery: revisions and diffs, threaded comments, amendments, live topics.

Any domain's text (a proposal, a pact clause) becomes a subject by registering a SubjectKind
(app.deliberation.subjects.register_subject) and, for live pages, a topic (sockets.register_topic).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.core.markdown import render_markdown
    from app.deliberation import api, sockets, views  # noqa: F401  (sockets registers handlers)
    from app.extensions import api as rest

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    app.jinja_env.filters["markdown"] = render_markdown
    _plug_into_meetings()


def _plug_into_meetings() -> None:
    """The chair's console lists the comments on the current agenda item's text, live, and hides
    them with a reason (static/js/meeting_comments.js over the comments API and live topics)."""
    from app.deliberation.meeting_page import moderation_messages
    from app.meetings.snapshot import register_page_messages, register_page_script

    register_page_script("js/meeting_comments.js")
    register_page_messages("comments", moderation_messages)
