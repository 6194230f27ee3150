"""Pages of the records: the verbale of a meeting and the DocPP (view, draft, edit, PDF) and the decision
register."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Forbidden, NotFound
from app.core.pdf import pdf_response
from app.core.permissions import require
from app.deliberation.views import deliberation_context, revision_form_page
from app.extensions import db
from app.meetings.services import get_meeting
from app.records import docpp, documents, services
from app.records.forms import DocumentEditForm, MinutesEditForm

bp = Blueprint("records", __name__)


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int):
    meeting = get_meeting(db.session, meeting_id)
    if services.is_chair(current_user) and meeting.status == "closed" and services.minutes_of(db.session, meeting) is None:
        return render_template("records/no_minutes.html", meeting=meeting)
    record = services.visible_minutes(db.session, current_user, meeting)
    return render_template("records/minutes.html", meeting=meeting, minutes=record,
                           **deliberation_context(db.session, current_user, services.as_subject(record)))


@bp.post("/meetings/<int:meeting_id>/minutes")
@login_required
def draft(meeting_id: int):
    meeting = get_meeting(db.session, meeting_id)
    services.draft_minutes(db.session, current_user, meeting)
    db.session.commit()
    flash(_("Bozza del verbale redatta dal registro dell'incontro."), "success")
    return redirect(url_for("records.minutes", meeting_id=meeting.id), code=303)


@bp.route("/meetings/<int:meeting_id>/minutes/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = get_meeting(db.session, meeting_id)
    require(services.is_chair(current_user), current_user)
    record = services.visible_minutes(db.session, current_user, meeting)
    form = MinutesEditForm(data={"body": record.body})
    return revision_form_page(
        form, lambda: services.revise_minutes(db.session, current_user, record, body=form.body.data,
                                              reason=form.reason.data),
        done_url=url_for("records.minutes", meeting_id=meeting.id),
        template="records/minutes_form.html", meeting=meeting, minutes=record)


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
def minutes_pdf(meeting_id: int):
    record = services.visible_minutes(db.session, current_user, get_meeting(db.session, meeting_id))
    return pdf_response(documents.record_pdf(record, _("Verbale")), f"verbale-incontro-{meeting_id}.pdf")


@bp.get("/docpp")
def document():
    """The DocPP: the draft for the table (the chair composes it), the validated text for everyone.
    Until a reader may see it the menu's page says why (not composed yet, or in the table's hands)."""
    process = docpp.the_process(db.session)
    try:
        record = docpp.visible_document(db.session, current_user)
    except (NotFound, Forbidden) as exc:
        can_compose = services.is_chair(current_user) and docpp.document_of(db.session, process) is None
        return render_template("records/no_document.html", process=process, reason=exc.message,
                               can_compose=can_compose)
    return render_template("records/document.html", document=record,
                           **deliberation_context(db.session, current_user, docpp.as_subject(record)))


@bp.post("/docpp")
@login_required
def draft_document():
    docpp.draft_document(db.session, current_user)
    db.session.commit()
    flash(_("Bozza del documento composta dal registro del percorso."), "success")
    return redirect(url_for("records.document"), code=303)


@bp.route("/docpp/edit", methods=["GET", "POST"])
@login_required
def edit_document():
    require(services.is_chair(current_user), current_user)
    record = docpp.visible_document(db.session, current_user)
    form = DocumentEditForm(data={"body": record.body})
    return revision_form_page(
        form, lambda: docpp.revise_document(db.session, current_user, record, body=form.body.data,
                                            reason=form.reason.data),
        done_url=url_for("records.document"), template="records/document_form.html", document=record)


@bp.get("/docpp.pdf")
def document_pdf():
    return pdf_response(documents.record_pdf(docpp.visible_document(db.session, current_user), _("Documento di proposta partecipata")),
                        "documento-proposta-partecipata.pdf")


@bp.get("/decisions")
def decisions():
    query = (request.args.get("q") or "").strip()[:200]
    outcome = request.args.get("outcome", "")
    if outcome not in ("", "passed", "rejected", "other"):
        outcome = ""
    return render_template("records/decisions.html", rows=services.decisions(db.session, query=query, outcome=outcome),
                           query=query, outcome=outcome)
