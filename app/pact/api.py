"""JSON API of the pact (interface.md): texts, endorsements, frozen versions, signatures."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.deliberation.api import add_subject_routes
from app.deliberation.schemas import DiffQuerySchema
from app.extensions import db
from app.pact import services
from app.pact.schemas import (
    ClausePatchSchema, ClauseSchema, EndorsementInputSchema, EndorsementSchema, PactImportSchema, PactSchema,
    PactSummarySchema, SignatureSchema, SignInputSchema, VersionTextSchema, WithdrawInputSchema,
)

blp = api_blueprint("pact_api", __name__, "The Patto per lo sviluppo: clauses, endorsements, versions, signatures")


@blp.route("/pacts")
class Pacts(MethodView):
    @blp.response(200, PactSummarySchema(many=True))
    def get(self):
        return services.list_pacts(db.session)

    @blp.arguments(PactImportSchema)
    @blp.response(201, PactSchema)
    def post(self, data):
        """Import a whole draft from Markdown (chair): `#` sections, `##` clauses, `Impegni:` lists."""
        pact = services.import_pact(db.session, current_user, data["title"], data["markdown"])
        db.session.commit()
        return pact


@blp.route("/pacts/<int:pact_id>")
class PactItem(MethodView):
    @blp.response(200, PactSchema)
    def get(self, pact_id: int):
        """Sections with their clauses and current texts, and the frozen versions."""
        return services.get_pact(db.session, pact_id)


@blp.route("/pacts/<int:pact_id>/markdown")
class PactMarkdown(MethodView):
    @blp.response(200, content_type="text/markdown")
    def get(self, pact_id: int):
        """The working text in the import format."""
        pact = services.get_pact(db.session, pact_id)
        return Response(services.export_markdown(pact), mimetype="text/markdown",
                        headers={"Content-Disposition": f'attachment; filename="patto-{pact.id}.md"'})


@blp.route("/pacts/<int:pact_id>/endorsements")
class PactEndorsements(MethodView):
    @blp.response(200)
    def get(self, pact_id: int):
        """The matrix: organizations × clauses, counts per clause and where the table conflicts."""
        return services.endorsement_matrix(db.session, services.get_pact(db.session, pact_id))


@blp.route("/pacts/<int:pact_id>/versions")
class PactVersions(MethodView):
    @blp.response(200, VersionTextSchema(many=True))
    def get(self, pact_id: int):
        return services.get_pact(db.session, pact_id).versions

    @blp.response(201, VersionTextSchema)
    def post(self, pact_id: int):
        """Freeze the current text as the next numbered version with its SHA-256 (chair)."""
        version = services.freeze_version(db.session, current_user, services.get_pact(db.session, pact_id))
        db.session.commit()
        return version


@blp.route("/pacts/<int:pact_id>/versions/diff")
class PactVersionDiff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200)
    def get(self, args, pact_id: int):
        """Word-level differences between two frozen versions."""
        return services.diff_versions(db.session, services.get_pact(db.session, pact_id), args["from_"], args["to"])


@blp.route("/pacts/<int:pact_id>/signatures")
class PactSignatures(MethodView):
    @blp.response(200, SignatureSchema(many=True))
    def get(self, pact_id: int):
        """Every signature in signing order, withdrawn ones included (the public list)."""
        return services.list_signatures(db.session, services.get_pact(db.session, pact_id))

    @blp.arguments(SignInputSchema)
    @blp.response(201, SignatureSchema)
    def post(self, data, pact_id: int):
        """The caller's organization signs a frozen version."""
        signature = services.sign_pact(db.session, current_user, services.get_pact(db.session, pact_id),
                                       data["version"], data["declaration"], organization_id=data["organization_id"])
        db.session.commit()
        return signature

    @blp.arguments(WithdrawInputSchema)
    @blp.response(200, SignatureSchema)
    def delete(self, data, pact_id: int):
        """The caller's organization withdraws its signature (kept in the list as withdrawn)."""
        signature = services.withdraw_signature(db.session, current_user, services.get_pact(db.session, pact_id),
                                                data["reason"])
        db.session.commit()
        return signature


@blp.route("/clauses/<int:clause_id>")
class ClauseItem(MethodView):
    @blp.response(200, ClauseSchema)
    def get(self, clause_id: int):
        return services.get_clause(db.session, clause_id)

    @blp.arguments(ClausePatchSchema)
    @blp.response(200, ClauseSchema)
    def patch(self, data, clause_id: int):
        """The chair revises the clause with a reason: a new revision of the working text."""
        clause = services.get_clause(db.session, clause_id)
        services.revise_clause(db.session, current_user, clause, reason=data["reason"],
                               title=data.get("title"), body=data.get("body"), commitments=data.get("commitments"))
        db.session.commit()
        return clause


@blp.route("/clauses/<int:clause_id>/endorsement")
class ClauseEndorsement(MethodView):
    @blp.arguments(EndorsementInputSchema)
    @blp.response(200, EndorsementSchema)
    def put(self, data, clause_id: int):
        """The caller's organization takes a position: endorse, reservation (text), oppose (reason)."""
        clause = services.get_clause(db.session, clause_id)
        endorsement = services.set_endorsement(db.session, current_user, clause, data["position"], data["note"])
        db.session.commit()
        return endorsement


add_subject_routes(blp, "/clauses", services.SUBJECT_TYPE)
