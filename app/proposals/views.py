from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import require
from app.core.routing import id_arg
from app.deliberation.views import deliberation_context, validated_form
from app.extensions import db
from app.organizations.services import list_organizations
from app.process.services import list_axes
from app.proposals.forms import ProposalEditForm, ProposalForm, StatusForm, SupportForm
from app.proposals.labels import MOVE_LABELS, STATUS_LABELS
from app.proposals.models import ProposalStatus
from app.proposals.permissions import (
    can_create_proposal, can_edit_proposal, can_support_proposal,
)
from app.proposals.services import (
    TRANSITIONS, as_subject, change_proposal_status, comment_counts, create_proposal, edit_proposal, get_proposal,
    list_proposals, support_proposal, withdraw_support,
)

bp = Blueprint("proposals", __name__)


@bp.get("/proposals")
def index():
    status = request.args.get("status") or None
    if status not in STATUS_LABELS:
        status = None
    filters = {
        "axis_id": id_arg("axis"), "status": status, "organization_id": id_arg("organization"),
        "q": (request.args.get("q") or "").strip()[:100],
    }
    proposals = list_proposals(db.session, current_user, **filters)
    return render_template(
        "proposals/index.html", proposals=proposals, filters=filters,
        comments=comment_counts(db.session, [p.id for p in proposals]),
        axes=list_axes(db.session), organizations=list_organizations(db.session), status_labels=STATUS_LABELS,
        can_create=can_create_proposal(current_user),
        filtered=any(value for value in filters.values()),
    )


def _axis_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in list_axes(db.session)]


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    require(can_create_proposal(current_user), current_user)
    form = ProposalForm()
    form.axis_id.choices = _axis_choices()
    if form.validate_on_submit():
        proposal = create_proposal(db.session, current_user, title=form.title.data, body=form.body.data,
                                   axis_id=form.axis_id.data, publish=form.publish.data)
        db.session.commit()
        flash(_("Proposta creata.") if proposal.status == "draft" else _("Proposta presentata al tavolo."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, proposal=None), status


def _moves(proposal: Any) -> list[tuple[str, str]]:
    """The status moves the current user may make now, as (status, label)."""
    moves = TRANSITIONS.get(proposal.status, {})
    return [(status, str(MOVE_LABELS[status])) for status, allowed in moves.items() if allowed(current_user, proposal)]


@bp.get("/proposals/<int:proposal_id>")
def detail(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id, current_user)
    subject = as_subject(proposal)
    status_form = StatusForm(prefix="status")
    moves = _moves(proposal)
    status_form.status.choices = moves
    supported = current_user.is_authenticated and any(
        s.organization_id == current_user.organization_id for s in proposal.active_supports)
    return render_template(
        "proposals/detail.html", proposal=proposal, status_labels=STATUS_LABELS, moves=moves,
        status_form=status_form, support_form=SupportForm(prefix="support"), supported=supported,
        can_edit=can_edit_proposal(current_user, proposal) and subject.accepts("revise"),
        can_support=can_support_proposal(current_user, proposal)
        and proposal.status in (ProposalStatus.DISCUSSION.value, ProposalStatus.VOTING.value),
        **deliberation_context(db.session, current_user, subject),
    )


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id, current_user)
    require(can_edit_proposal(current_user, proposal), current_user)
    form = ProposalEditForm(data={"title": proposal.title, "body": proposal.body})
    if form.validate_on_submit():
        revision = edit_proposal(db.session, current_user, proposal, title=form.title.data, body=form.body.data,
                                 reason=form.reason.data)
        db.session.commit()
        flash(_("Modifica salvata come revisione %(n)d.", n=revision.number), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#revisions", code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, proposal=proposal), status


@bp.post("/proposals/<int:proposal_id>/status")
@login_required
def status(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id, current_user)
    form = StatusForm(prefix="status")
    form.status.choices = [(s, s) for s in STATUS_LABELS]
    validated_form(form)
    change_proposal_status(db.session, current_user, proposal, form.status.data, form.reason.data or "")
    db.session.commit()
    flash(_("Stato della proposta: %(status)s.", status=STATUS_LABELS[proposal.status]), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), code=303)


@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def support(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id, current_user)
    form = SupportForm(prefix="support")
    validated_form(form)
    if request.form.get("action") == "withdraw":
        withdraw_support(db.session, current_user, proposal)
        message = _("Sostegno ritirato.")
    else:
        support_proposal(db.session, current_user, proposal)
        message = _("La tua organizzazione sostiene la proposta.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#supports", code=303)


def home_panel() -> dict:
    """The home page's "proposals on the table" panel: those in discussion or in vote."""
    proposals = [p for p in list_proposals(db.session, current_user)
                 if p.status in (ProposalStatus.DISCUSSION.value, ProposalStatus.VOTING.value)]
    return {"template": "proposals/_home_panel.html", "open_proposals": proposals[:5],
            "open_count": len(proposals), "status_labels": STATUS_LABELS}
