from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.organizations.forms import AdhesionForm, WithdrawForm
from app.organizations.permissions import can_manage_adhesion
from app.organizations.services import adhere, get_organization, list_organizations, table_coverage, withdraw

bp = Blueprint("organizations", __name__)


@bp.get("/organizations")
def index():
    organizations = list_organizations(db.session)
    return render_template(
        "organizations/index.html", organizations=organizations, coverage=table_coverage(organizations),
    )


@bp.get("/organizations/<int:organization_id>")
def detail(organization_id: int):
    organization = get_organization(db.session, organization_id)
    return render_template(
        "organizations/detail.html", organization=organization, adhesion_form=AdhesionForm(),
        withdraw_form=WithdrawForm(), can_manage=can_manage_adhesion(current_user, organization),
    )


@bp.post("/organizations/<int:organization_id>/adhesion")
@login_required
def adhere_view(organization_id: int):
    organization = get_organization(db.session, organization_id)
    form = AdhesionForm()
    if not form.validate_on_submit():
        flash(_("Dichiarazione non valida."), "danger")
        return render_template("organizations/detail.html", organization=organization, adhesion_form=form,
                               withdraw_form=WithdrawForm(), can_manage=can_manage_adhesion(current_user, organization)), 422
    adhere(db.session, current_user, organization, form.statement.data or "")
    db.session.commit()
    flash(_("Adesione al tavolo registrata."), "success")
    return redirect(url_for("organizations.detail", organization_id=organization.id))


@bp.post("/organizations/<int:organization_id>/withdrawal")
@login_required
def withdraw_view(organization_id: int):
    organization = get_organization(db.session, organization_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Motivazione non valida."), "danger")
        return redirect(url_for("organizations.detail", organization_id=organization.id))
    withdraw(db.session, current_user, organization, form.reason.data or "")
    db.session.commit()
    flash(_("Ritiro dal tavolo registrato."), "success")
    return redirect(url_for("organizations.detail", organization_id=organization.id))
