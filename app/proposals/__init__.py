"""Proposals brought to the table: texts with revisions, comments, amendments, supports, outcome."""
from __future__ import annotations

from flask import Flask, url_for


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.realtime import topic_room
    from app.deliberation.sockets import register_topic, subject_topic
    from app.deliberation.subjects import SubjectKind, register_subject
    from app.extensions import api as rest
    from app.proposals import api, demo, views
    from app.proposals.permissions import can_edit_proposal, can_view_proposal
    from app.proposals.services import SUBJECT_TYPE, apply_revision, load_proposal, proposal_accepts
    from app.registry import add_demo_seeder, add_home_panel, add_nav

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    register_subject(app, SubjectKind(
        type=SUBJECT_TYPE, label=_l("proposta"), load=load_proposal,
        room=lambda proposal: topic_room(SUBJECT_TYPE, proposal.id),
        url=lambda proposal: url_for("proposals.detail", proposal_id=proposal.id),
        apply_revision=apply_revision, can_view=can_view_proposal, can_revise=can_edit_proposal,
        accepts=proposal_accepts,
    ))
    register_topic(app, SUBJECT_TYPE, subject_topic(SUBJECT_TYPE))
    add_nav(app, 30, "proposals.index", _l("Proposte"))
    add_home_panel(app, views.home_panel)
    add_demo_seeder(app, 60, demo.seed)
