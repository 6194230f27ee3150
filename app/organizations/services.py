"""Organizations and their adhesions to the table."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.permissions import require
from app.core.db import utcnow
from app.organizations.models import Adhesion, Category, Organization
from app.organizations.permissions import can_create_organization, can_manage_adhesion

MAX_STATEMENT = 5000


def get_organization(session: Session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(_("Organizzazione non trovata."))
    return organization


def list_organizations(session: Session) -> list[Organization]:
    return list(session.scalars(
        sa.select(Organization).options(selectinload(Organization.adhesions)).order_by(Organization.name)
    ))


def create_organization(
    session: Session, actor: Any, *, name: str, category: str, short_name: str | None = None,
    place: str | None = None, website: str | None = None, description: str = "", weight: int = 1,
    system: bool = False,
) -> Organization:
    if not system:
        require(can_create_organization(actor), actor)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(_("Il nome è obbligatorio (al massimo 200 caratteri)."), fields={"name": ["invalid"]})
    if category not in {c.value for c in Category}:
        raise InvalidInput(_("Categoria sconosciuta."), fields={"category": ["unknown"]})
    if not 1 <= int(weight) <= 1000:
        raise InvalidInput(_("Il peso deve essere tra 1 e 1000."), fields={"weight": ["out_of_range"]})
    if session.scalar(sa.select(Organization.id).where(sa.func.lower(Organization.name) == name.lower())):
        raise Conflict(_("Esiste già un'organizzazione con questo nome."), code="organization_exists")
    organization = Organization(
        name=name, category=category, short_name=short_name, place=place, website=website,
        description=description or "", weight=weight,
    )
    session.add(organization)
    session.flush()
    record(session, actor, "organizations.organization.created", organization, {"name": name, "category": category})
    return organization


def adhere(session: Session, actor: Any, organization: Organization, statement: str = "", *, system: bool = False) -> Adhesion:
    """The organization joins the table (again, after a withdrawal: history is kept)."""
    if not system:
        require(can_manage_adhesion(actor, organization), actor)
    statement = (statement or "").strip()
    if len(statement) > MAX_STATEMENT:
        raise InvalidInput(_("La dichiarazione è troppo lunga."), fields={"statement": ["too_long"]})
    if organization.active_adhesion is not None:
        raise Conflict(_("L'organizzazione aderisce già al tavolo."), code="already_adhered")
    adhesion = Adhesion(
        organization_id=organization.id, statement=statement,
        representative_id=getattr(actor, "id", None),
        representative_name=getattr(actor, "name", None) or _("Segreteria"),
        adhered_at=utcnow(),
    )
    session.add(adhesion)
    organization.adhesions.append(adhesion)
    session.flush()
    record(session, actor, "organizations.adhesion.created", adhesion,
           {"organization_id": organization.id, "statement": statement})
    return adhesion


def withdraw(session: Session, actor: Any, organization: Organization, reason: str = "") -> Adhesion:
    require(can_manage_adhesion(actor, organization), actor)
    adhesion = organization.active_adhesion
    if adhesion is None:
        raise Conflict(_("L'organizzazione non aderisce al tavolo."), code="not_adhered")
    reason = (reason or "").strip()
    if len(reason) > MAX_STATEMENT:
        raise InvalidInput(_("La motivazione è troppo lunga."), fields={"reason": ["too_long"]})
    adhesion.withdrawn_at = utcnow()
    adhesion.withdrawn_by_id = actor.id
    adhesion.withdrawal_reason = reason
    session.flush()
    record(session, actor, "organizations.adhesion.withdrawn", adhesion,
           {"organization_id": organization.id, "reason": reason})
    return adhesion


def table_coverage(organizations: list[Organization]) -> list[dict[str, Any]]:
    """For each category of actor: the organizations sitting at the table (the law asks for all)."""
    from app.organizations.models import CATEGORY_LABELS

    rows = []
    for category in Category:
        members = [o for o in organizations if o.category == category.value and o.active_adhesion]
        rows.append({"category": category.value, "label": str(CATEGORY_LABELS[category.value]), "members": members})
    return rows
