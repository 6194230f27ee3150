from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import AcceptInvitationForm, InvitationForm, LoginForm
from app.auth.labels import MEMBER_KIND_LABELS, ROLE_LABELS
from app.auth.permissions import can_create_user, can_list_users
from app.auth.services import accept_invitation, authenticate, create_invitation, find_invitation, list_users
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.ratelimit import login_limit
from app.core.security import is_local_path
from app.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login form cannot redirect elsewhere."""
    return target if is_local_path(target) else url_for("process.home")


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data)
        except DomainError as exc:
            form.password.errors.append(exc.message)
            status = 401
        else:
            session.clear()
            login_user(user)
            flash(_("Benvenuta/o, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    from app.auth.sockets import disconnect_user

    user_id = current_user.id
    logout_user()
    session.clear()
    disconnect_user(user_id)
    flash(_("Sei uscita/o da Tavolo."), "info")
    return redirect(url_for("process.home"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    invitation = find_invitation(db.session, token)  # unknown / used / expired → clear error page
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = accept_invitation(db.session, token, form.password.data)
        db.session.commit()
        login_user(user)
        flash(_("Account attivato. Benvenuta/o, %(name)s.", name=user.name), "success")
        return redirect(url_for("process.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/invitation.html", form=form, invitation=invitation), status


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    require(can_list_users(current_user), current_user)
    from app.organizations.services import list_organizations

    form = InvitationForm()
    form.role.choices = [(key, str(label)) for key, label in ROLE_LABELS.items() if key != "participant"]
    form.organization_id.choices = [(0, _("Nessuna"))] + [(o.id, o.name) for o in list_organizations(db.session)]
    form.member_kind.choices = [(key, str(label)) for key, label in MEMBER_KIND_LABELS.items()]
    link = None
    status = 200
    if request.method == "POST":
        require(can_create_user(current_user), current_user)
        if form.validate_on_submit():
            try:
                raw, _inv = create_invitation(
                    db.session, current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                    organization_id=form.organization_id.data or None,
                    member_kind=form.member_kind.data if form.role.data == "member" else None,
                )
            except DomainError as exc:
                db.session.rollback()
                form.email.errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                link = url_for("auth.invitation", token=raw, _external=True)
                flash(_("Invito creato: consegna il link alla persona invitata, vale una sola volta."), "success")
        else:
            status = 422
    return render_template(
        "auth/users.html", users=list_users(db.session), form=form, link=link, role_labels=ROLE_LABELS,
        can_invite=can_create_user(current_user),
    ), status
