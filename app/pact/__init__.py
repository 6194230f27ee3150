"""The Patto per lo sviluppo (issue 4): sections and numbered clauses, each clause a deliberated subject
(the shared revisions, comments and amendments), endorsements, frozen versions, signatures and PDFs."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.realtime import topic_room
    from app.extensions import api as rest
    from app.pact import api, demo, views
    from app.registry import add_demo_seeder, add_nav
    from app.deliberation.sockets import register_topic
    from app.deliberation.subjects import SubjectKind, register_subject
    from app.pact.services import (
        SUBJECT_TYPE, apply_revision, can_edit_pact, can_view_pact, clause_accepts, get_pact, load_clause,
        register_consequences,
    )

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    add_nav(app, 40, "pact.index", _l("Patto"))
    add_demo_seeder(app, 70, demo.seed)
    # a clause's events go to its pact's room: the pact page follows every clause at once
    register_subject(app, SubjectKind(
        type=SUBJECT_TYPE, label=_l("clausola"), load=load_clause,
        room=lambda clause: topic_room("pact", clause.pact_id),
        url=lambda clause: f"/pacts/{clause.pact_id}/clauses/{clause.id}",
        apply_revision=apply_revision, can_view=can_view_pact, can_revise=can_edit_pact,
        accepts=clause_accepts,
    ))
    # `subscribe {"topic": "pact:<id>"}`: clause_changed, endorsement_changed and comments of every clause
    register_topic(app, "pact", lambda session, user, pact_id: get_pact(session, pact_id) and None)
    # a yes/no poll on a clause or on a frozen version is the table's decision on it
    register_consequences()
