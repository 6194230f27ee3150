from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.deliberation.api import add_subject_routes
from app.extensions import db
from app.proposals.schemas import (
    ProposalCreateSchema, ProposalListQuerySchema, ProposalPatchSchema, ProposalSchema, StatusChangeSchema,
)
from app.proposals.services import (
    SUBJECT_TYPE, change_proposal_status, create_proposal, edit_proposal, get_proposal, list_proposals,
    support_proposal, withdraw_support,
)

blp = api_blueprint("proposals_api", __name__, "Proposals: texts, revisions, comments, amendments, supports")


@blp.route("/proposals")
class Proposals(MethodView):
    @blp.arguments(ProposalListQuerySchema, location="query")
    @blp.response(200, ProposalSchema(many=True))
    def get(self, args):
        """Proposals (drafts only for their authors), filtered by axis, status, organization, words."""
        return list_proposals(db.session, current_user, axis_id=args["axis"], status=args["status"],
                              organization_id=args["organization"], q=args["q"])

    @blp.arguments(ProposalCreateSchema)
    @blp.response(201, ProposalSchema)
    def post(self, data):
        """A new proposal with its first revision; a draft unless `publish` is true."""
        proposal = create_proposal(db.session, current_user, **data)
        db.session.commit()
        return proposal


@blp.route("/proposals/<int:proposal_id>")
class ProposalItem(MethodView):
    @blp.response(200, ProposalSchema)
    def get(self, proposal_id: int):
        return get_proposal(db.session, proposal_id, current_user)

    @blp.arguments(ProposalPatchSchema)
    @blp.response(200, ProposalSchema)
    def patch(self, data, proposal_id: int):
        """Edit title and/or text with a reason (author or chair): a new revision."""
        proposal = get_proposal(db.session, proposal_id, current_user)
        edit_proposal(db.session, current_user, proposal, **data)
        db.session.commit()
        return proposal


@blp.route("/proposals/<int:proposal_id>/status")
class ProposalStatusChange(MethodView):
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, ProposalSchema)
    def post(self, data, proposal_id: int):
        """Move the proposal: its author publishes or withdraws it, the chair makes every other move."""
        proposal = get_proposal(db.session, proposal_id, current_user)
        change_proposal_status(db.session, current_user, proposal, data["status"], data["reason"])
        db.session.commit()
        return proposal


@blp.route("/proposals/<int:proposal_id>/support")
class ProposalSupport(MethodView):
    @blp.response(200, ProposalSchema)
    def put(self, proposal_id: int):
        """The caller's organization supports the proposal."""
        proposal = get_proposal(db.session, proposal_id, current_user)
        support_proposal(db.session, current_user, proposal)
        db.session.commit()
        return proposal

    @blp.response(200, ProposalSchema)
    def delete(self, proposal_id: int):
        """The caller's organization withdraws its support (kept in the history)."""
        proposal = get_proposal(db.session, proposal_id, current_user)
        withdraw_support(db.session, current_user, proposal)
        db.session.commit()
        return proposal


add_subject_routes(blp, "/proposals", SUBJECT_TYPE)
