"""HTML pages of the pact: the text, the live endorsement matrix, versions and signatures."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, Forbidden, Unauthorized
from app.core.pdf import pdf_response
from app.core.permissions import require
from app.deliberation.services import count_comments
from app.deliberation.views import deliberation_context, revision_form_page
from app.extensions import db
from app.pact import documents, services
from app.pact.forms import ClauseEditForm, EndorsementForm, SignForm

bp = Blueprint("pact", __name__)


@bp.get("/pacts")
def index():
    pacts = services.list_pacts(db.session)
    if len(pacts) == 1:
        return redirect(url_for("pact.detail", pact_id=pacts[0].id))
    return render_template("pact/index.html", pacts=pacts)


def _endorsement_forms(pact, mine: dict, failed=None) -> dict:
    """One form per clause (prefixed, so ids stay unique), preset to the organization's position."""
    forms = {}
    for clause in services.clauses_of(pact):
        if failed is not None and failed[0] == clause.id:
            forms[clause.id] = failed[1]
            continue
        current = mine.get(clause.id) or {}
        forms[clause.id] = EndorsementForm(prefix=f"c{clause.id}", formdata=None,
                                           position=current.get("position", "endorse"), note=current.get("note", ""))
    return forms


def _page(pact, status: int = 200, failed=None):
    matrix = services.endorsement_matrix(db.session, pact)
    cells = {(c["clause_id"], c["organization_id"]): c for c in matrix["cells"]}
    represents = services.represents(current_user)
    mine = {}
    if represents:
        mine = {c["clause_id"]: c for c in matrix["cells"] if c["organization_id"] == current_user.organization_id}
    sign_form = SignForm()
    sign_form.version.choices = [(v.number, _("Versione %(n)d", n=v.number)) for v in reversed(pact.versions)]
    own_signature = services.active_signature(db.session, pact, current_user.organization_id) if represents else None
    return render_template(
        "pact/detail.html", pact=pact, clauses=services.clauses_of(pact), matrix=matrix, cells=cells,
        summary={row["clause_id"]: row for row in matrix["clauses"]}, mine=mine, represents=represents,
        can_edit=services.can_edit_pact(current_user), signatures=services.list_signatures(db.session, pact),
        endorsement_forms=_endorsement_forms(pact, mine, failed), sign_form=sign_form, own_signature=own_signature,
        comment_counts=count_comments(db.session, services.SUBJECT_TYPE, [c.id for c in services.clauses_of(pact)]),
    ), status


@bp.get("/pacts/<int:pact_id>")
def detail(pact_id: int):
    return _page(services.get_pact(db.session, pact_id))


def _act(pact, action) -> None:
    """Run a service for a form post: commit and flash, or roll back and show the error. A refusal of
    the right itself is the error page (401/403) like everywhere else, not a flash."""
    try:
        action()
    except (Unauthorized, Forbidden):
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()


@bp.post("/pacts/<int:pact_id>/clauses/<int:clause_id>/endorsement")
@login_required
def endorse(pact_id: int, clause_id: int):
    pact = services.get_pact(db.session, pact_id)
    clause = services.get_clause(db.session, clause_id)
    if clause.pact_id != pact.id:
        abort(404)
    form = EndorsementForm(prefix=f"c{clause.id}")
    if not form.validate_on_submit():
        return _page(pact, 422, failed=(clause.id, form))
    _act(pact, lambda: services.set_endorsement(db.session, current_user, clause, form.position.data, form.note.data))
    return redirect(url_for("pact.detail", pact_id=pact.id, _anchor=f"clause-{clause.id}"))


@bp.post("/pacts/<int:pact_id>/versions")
@login_required
def freeze(pact_id: int):
    pact = services.get_pact(db.session, pact_id)  # CSRF: checked for every POST by CSRFProtect
    _act(pact, lambda: services.freeze_version(db.session, current_user, pact))
    return redirect(url_for("pact.detail", pact_id=pact.id, _anchor="versions"))


@bp.post("/pacts/<int:pact_id>/signatures")
@login_required
def sign(pact_id: int):
    pact = services.get_pact(db.session, pact_id)
    form = SignForm()
    form.version.choices = [(v.number, str(v.number)) for v in pact.versions]
    if request.form.get("action") == "withdraw":
        _act(pact, lambda: services.withdraw_signature(db.session, current_user, pact, form.declaration.data or ""))
    elif form.validate_on_submit():
        _act(pact, lambda: services.sign_pact(db.session, current_user, pact, form.version.data, form.declaration.data))
    else:
        return _page(pact, 422)
    return redirect(url_for("pact.detail", pact_id=pact.id, _anchor="signatures"))


def _clause_of(pact_id: int, clause_id: int):
    pact = services.get_pact(db.session, pact_id)
    clause = services.get_clause(db.session, clause_id)
    if clause.pact_id != pact.id:
        abort(404)
    return pact, clause


@bp.get("/pacts/<int:pact_id>/clauses/<int:clause_id>")
def clause(pact_id: int, clause_id: int):
    """One clause's discussion: its revisions and diffs, amendments and comments (the shared machinery)."""
    pact, clause = _clause_of(pact_id, clause_id)
    return render_template("pact/clause.html", pact=pact, clause=clause,
                           can_edit=services.can_edit_pact(current_user),
                           **deliberation_context(db.session, current_user, services.as_subject(clause)))


@bp.route("/pacts/<int:pact_id>/clauses/<int:clause_id>/edit", methods=["GET", "POST"])
@login_required
def edit_clause(pact_id: int, clause_id: int):
    pact, clause = _clause_of(pact_id, clause_id)
    require(services.can_edit_pact(current_user), current_user)
    form = ClauseEditForm(data={"title": clause.title, "body": clause.body,
                                "commitments": "\n".join(clause.commitment_list)})
    return revision_form_page(
        form, lambda: services.revise_clause(db.session, current_user, clause, reason=form.reason.data,
                                             title=form.title.data, body=form.body.data,
                                             commitments=form.commitments.data or ""),
        done_url=url_for("pact.clause", pact_id=pact.id, clause_id=clause.id),
        template="pact/clause_form.html", pact=pact, clause=clause)


@bp.get("/pacts/<int:pact_id>/pact.pdf")
def pact_pdf(pact_id: int):
    pact = services.get_pact(db.session, pact_id)
    return pdf_response(documents.pact_pdf(pact), f"patto-{pact.id}.pdf")


@bp.get("/pacts/<int:pact_id>/versions/<int:number>/pact.pdf")
def signed_pdf(pact_id: int, number: int):
    """The signed pact: version N as frozen, its SHA-256 and its signatories."""
    pact = services.get_pact(db.session, pact_id)
    version = services.get_version(db.session, pact, number)
    return pdf_response(documents.signed_pact_pdf(db.session, pact, version),
                        f"patto-{pact.id}-versione-{version.number}.pdf")
