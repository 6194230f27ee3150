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
