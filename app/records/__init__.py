"""Records (issue 7): the verbale of each meeting, drafted from its record, edited as revisions,
approved by the table's vote and frozen with its hash in the audit chain; the decision register."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.realtime import topic_room
    from app.deliberation.subjects import SubjectKind, register_subject
    from app.extensions import api as rest
    from app.records import api, views
    from app.records.services import (
        SUBJECT_TYPE, apply_revision, can_view_minutes, is_chair, load_minutes, minutes_accepts, register_consequences,
    )
    from app.registry import add_nav

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    add_nav(app, 75, "records.decisions", _l("Decisioni"))
    # the verbale is a deliberated text: its edits are revisions with reasons and diffs
    register_subject(app, SubjectKind(
        type=SUBJECT_TYPE, label=_l("verbale"), load=load_minutes,
        room=lambda minutes: topic_room("minutes", minutes.id),
        url=lambda minutes: f"/meetings/{minutes.meeting_id}/minutes",
        apply_revision=apply_revision, can_view=can_view_minutes, can_revise=is_chair, accepts=minutes_accepts,
    ))
    # a yes/no poll on the minutes is the table's approval: passed, they are frozen
    register_consequences()
