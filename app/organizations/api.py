from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.extensions import db
from app.organizations.schemas import (
    AdhesionCreateSchema, AdhesionSchema, OrganizationCreateSchema, OrganizationSchema, WithdrawSchema,
)
from app.organizations.services import adhere, create_organization, get_organization, list_organizations, withdraw

blp = api_blueprint("organizations_api", __name__, "Organizations and adhesions to the table")


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.response(200, OrganizationSchema(many=True))
    def get(self):
        """All organizations with their public fields and whether they sit at the table."""
        return list_organizations(db.session)

    @blp.arguments(OrganizationCreateSchema)
    @blp.response(201, OrganizationSchema)
    def post(self, data):
        """Create an organization (admin)."""
        organization = create_organization(db.session, current_user, **data)
        db.session.commit()
        return organization


@blp.route("/organizations/<int:organization_id>")
class OrganizationItem(MethodView):
    @blp.response(200, OrganizationSchema)
    def get(self, organization_id: int):
        return get_organization(db.session, organization_id)


@blp.route("/organizations/<int:organization_id>/adhesion")
class OrganizationAdhesion(MethodView):
    @blp.arguments(AdhesionCreateSchema)
    @blp.response(201, AdhesionSchema)
    def post(self, data, organization_id: int):
        """The organization adheres to the table (its representative or an admin)."""
        organization = get_organization(db.session, organization_id)
        adhesion = adhere(db.session, current_user, organization, data["statement"])
        db.session.commit()
        return adhesion

    @blp.arguments(WithdrawSchema, required=False)
    @blp.response(200, AdhesionSchema)
    def delete(self, data, organization_id: int):
        """Withdraw the organization from the table; optional JSON body `{"reason"}`."""
        organization = get_organization(db.session, organization_id)
        adhesion = withdraw(db.session, current_user, organization, data["reason"])
        db.session.commit()
        return adhesion


@blp.route("/organizations/<int:organization_id>/adhesions")
class OrganizationAdhesions(MethodView):
    @blp.response(200, AdhesionSchema(many=True))
    def get(self, organization_id: int):
        """Full adhesion history, oldest first."""
        return get_organization(db.session, organization_id).adhesions
