"""Records (issue 7): the verbale of each meeting and the process's DocPP, drafted from the record,
edited as revisions, approved by the table's vote and frozen with their hash in the audit chain; the
decision register."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.realtime import topic_room
    from app.deliberation.subjects import SubjectKind, register_subject
    from app.extensions import api as rest
    from app.records import api, docpp, views
    from app.records.services import (
        RECORD_BODY_MAX, SUBJECT_TYPE, apply_revision, can_view_minutes, is_chair, load_minutes, record_accepts,
        register_consequences,
    )
    from app.registry import add_nav

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    add_nav(app, 75, "records.decisions", _l("Decisioni"))
    add_nav(app, 77, "records.document", _l("Documento finale"))
    # the verbale is a deliberated text: its edits are revisions with reasons and diffs
    register_subject(app, SubjectKind(
        type=SUBJECT_TYPE, label=_l("verbale"), load=load_minutes,
        room=lambda minutes: topic_room("minutes", minutes.id),
        url=lambda minutes: f"/meetings/{minutes.meeting_id}/minutes",
        apply_revision=apply_revision, can_view=can_view_minutes, can_revise=is_chair, accepts=record_accepts,
        body_max=RECORD_BODY_MAX,
    ))
    # the DocPP too: the chair's edits are revisions, the table reads the draft and validates it by vote
    register_subject(app, SubjectKind(
        type=docpp.SUBJECT_TYPE, label=_l("documento di proposta partecipata"), load=docpp.load_document,
        room=lambda document: topic_room("document", document.id), url=lambda document: "/docpp",
        apply_revision=apply_revision, can_view=docpp.can_view_document, can_revise=is_chair,
        accepts=record_accepts, body_max=RECORD_BODY_MAX,
    ))
    # a yes/no poll on the minutes or the DocPP is the table's approval: passed, they are frozen
    register_consequences()
