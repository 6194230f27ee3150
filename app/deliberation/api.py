"""JSON API of the shared deliberation machinery.

`add_subject_routes` gives a subject's own blueprint its `/revisions`, `/diff`, `/comments` and
`/amendments` (proposals now, the pact's clauses later); the routes below act on an amendment or a
comment by its id, whatever its subject.
"""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.core.api import api_blueprint
from app.deliberation.schemas import (
    AmendmentCreateSchema, AmendmentSchema, CommentCreateSchema, CommentEditSchema, CommentRevisionSchema,
    CommentSchema, DiffQuerySchema, DiffSchema, FlagSchema, ReasonSchema, RequiredReasonSchema, RevisionSchema,
)
from app.deliberation.services import (
    accept_amendment, add_comment, comment_payload, create_amendment, diff_revisions, edit_comment, flag_comment,
    get_amendment, get_comment, hide_comment, list_amendments, list_comments, list_revisions, reject_amendment,
    require_visible, subject_of, submit_amendment, withdraw_amendment,
)
from app.deliberation.subjects import Subject, load_subject
from app.extensions import db

blp = api_blueprint("deliberation_api", __name__, "Comments and amendments of any deliberated text")

#: subject type → its collection's API URL (e.g. "proposal" → "/api/v1/proposals"), for page scripts
SUBJECT_API_PATHS: dict[str, str] = {}


def visible_subject(subject_type: str, subject_id: int) -> Subject:
    """Load a subject for the caller: 404 if unknown or if the caller may not read it."""
    return require_visible(current_user, load_subject(db.session, subject_type, subject_id))


def _visible_subject_of(item: Any) -> Subject:
    return require_visible(current_user, subject_of(db.session, item))


def add_subject_routes(bp: Blueprint, path: str, subject_type: str) -> None:
    """Register `{path}/<id>/revisions|diff|comments|amendments` on a subject's API blueprint.

    `path` is the collection's URL (e.g. "/proposals"); endpoints are named after `subject_type`.
    """

    class SubjectRevisions(MethodView):
        @bp.response(200, RevisionSchema(many=True))
        def get(self, subject_id: int):
            """Every revision of the text, oldest first, with author, time and reason."""
            return list_revisions(db.session, visible_subject(subject_type, subject_id))

    class SubjectDiff(MethodView):
        @bp.arguments(DiffQuerySchema, location="query")
        @bp.response(200, DiffSchema)
        def get(self, args, subject_id: int):
            """Word-level differences between revisions `from` and `to` (ops: equal, insert, delete)."""
            subject = visible_subject(subject_type, subject_id)
            return diff_revisions(db.session, subject, args["from_"], args["to"])

    class SubjectComments(MethodView):
        @bp.response(200, CommentSchema(many=True))
        def get(self, subject_id: int):
            """Comments in date order; `parent_id` and `depth` give the threads."""
            subject = visible_subject(subject_type, subject_id)
            return [comment_payload(c) for c in list_comments(db.session, subject)]

        @bp.arguments(CommentCreateSchema)
        @bp.response(201, CommentSchema)
        def post(self, data, subject_id: int):
            """Comment (or reply with `parent_id`), optionally for / against / neutral."""
            subject = visible_subject(subject_type, subject_id)
            comment = add_comment(db.session, current_user, subject, data["body"],
                                  parent_id=data["parent_id"], alignment=data["alignment"])
            db.session.commit()
            return comment_payload(comment)

    class SubjectAmendments(MethodView):
        @bp.response(200, AmendmentSchema(many=True))
        def get(self, subject_id: int):
            """Amendments in every state (rejected ones stay visible); drafts only to their author."""
            return list_amendments(db.session, visible_subject(subject_type, subject_id), current_user)

        @bp.arguments(AmendmentCreateSchema)
        @bp.response(201, AmendmentSchema)
        def post(self, data, subject_id: int):
            """Propose a new text with a reason; submitted unless `draft` is true."""
            subject = visible_subject(subject_type, subject_id)
            amendment = create_amendment(db.session, current_user, subject, body=data["body"], reason=data["reason"],
                                         title=data["title"], submit=not data["draft"])
            db.session.commit()
            return amendment

    SUBJECT_API_PATHS[subject_type] = f"{bp.url_prefix or ''}{path}"
    for suffix, view in (("revisions", SubjectRevisions), ("diff", SubjectDiff),
                         ("comments", SubjectComments), ("amendments", SubjectAmendments)):
        bp.add_url_rule(f"{path}/<int:subject_id>/{suffix}", endpoint=f"{subject_type}_{suffix}", view_func=view)


def _commit(obj: Any) -> Any:
    db.session.commit()
    return obj


@blp.route("/amendments/<int:amendment_id>")
class AmendmentItem(MethodView):
    @blp.response(200, AmendmentSchema)
    def get(self, amendment_id: int):
        amendment = get_amendment(db.session, amendment_id, current_user)
        _visible_subject_of(amendment)
        return amendment


@blp.route("/amendments/<int:amendment_id>/submit")
class AmendmentSubmit(MethodView):
    @blp.response(200, AmendmentSchema)
    def post(self, amendment_id: int):
        """Submit a draft to the table (its author)."""
        amendment = get_amendment(db.session, amendment_id, current_user)
        return _commit(submit_amendment(db.session, current_user, amendment))


@blp.route("/amendments/<int:amendment_id>/withdraw")
class AmendmentWithdraw(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, AmendmentSchema)
    def post(self, data, amendment_id: int):
        """Withdraw a draft or submitted amendment (its author)."""
        amendment = get_amendment(db.session, amendment_id, current_user)
        return _commit(withdraw_amendment(db.session, current_user, amendment, data["reason"]))


@blp.route("/amendments/<int:amendment_id>/accept")
class AmendmentAccept(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, AmendmentSchema)
    def post(self, data, amendment_id: int):
        """Accept a submitted amendment (chair): its text becomes the next revision."""
        amendment = get_amendment(db.session, amendment_id, current_user)
        return _commit(accept_amendment(db.session, current_user, amendment, data["reason"]))


@blp.route("/amendments/<int:amendment_id>/reject")
class AmendmentReject(MethodView):
    @blp.arguments(RequiredReasonSchema)
    @blp.response(200, AmendmentSchema)
    def post(self, data, amendment_id: int):
        """Reject a submitted amendment with a reason (chair); it stays visible."""
        amendment = get_amendment(db.session, amendment_id, current_user)
        return _commit(reject_amendment(db.session, current_user, amendment, data["reason"]))


@blp.route("/comments/<int:comment_id>")
class CommentItem(MethodView):
    @blp.response(200, CommentSchema)
    def get(self, comment_id: int):
        comment = get_comment(db.session, comment_id)
        _visible_subject_of(comment)
        return comment_payload(comment)

    @blp.arguments(CommentEditSchema)
    @blp.response(200, CommentSchema)
    def patch(self, data, comment_id: int):
        """Rewrite one's own comment; the previous text is kept in its history."""
        comment = edit_comment(db.session, current_user, get_comment(db.session, comment_id), data["body"])
        db.session.commit()
        return comment_payload(comment)


@blp.route("/comments/<int:comment_id>/edits")
class CommentEdits(MethodView):
    @blp.response(200, CommentRevisionSchema(many=True))
    def get(self, comment_id: int):
        """Earlier texts of the comment, oldest first (withheld while it is hidden)."""
        comment = get_comment(db.session, comment_id)
        _visible_subject_of(comment)
        return [] if comment.hidden else comment.edits


@blp.route("/comments/<int:comment_id>/flags")
class CommentFlags(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(201, FlagSchema)
    def post(self, data, comment_id: int):
        """Report a comment to the moderation (once per person)."""
        flag = flag_comment(db.session, current_user, get_comment(db.session, comment_id), data["reason"])
        return _commit(flag)


@blp.route("/comments/<int:comment_id>/hide")
class CommentHide(MethodView):
    @blp.arguments(RequiredReasonSchema)
    @blp.response(200, CommentSchema)
    def post(self, data, comment_id: int):
        """Hide a comment with a public reason (chair); it stays in the thread as hidden."""
        comment = hide_comment(db.session, current_user, get_comment(db.session, comment_id), data["reason"])
        db.session.commit()
        return comment_payload(comment)
