"""Pages of the records: the verbale of a meeting (view, draft, edit, PDF) and the decision register."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.pdf import pdf_response
from app.core.permissions import require
from app.deliberation.views import deliberation_context, revision_form_page
from app.extensions import db
from app.meetings.services import get_meeting
from app.records import documents, services
from app.records.forms import MinutesEditForm

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
    return pdf_response(documents.minutes_pdf(record), f"verbale-incontro-{meeting_id}.pdf")


@bp.get("/decisions")
def decisions():
    query = (request.args.get("q") or "").strip()[:200]
    outcome = request.args.get("outcome", "")
    if outcome not in ("", "passed", "rejected", "other"):
        outcome = ""
    return render_template("records/decisions.html", rows=services.decisions(db.session, query=query, outcome=outcome),
                           query=query, outcome=outcome)
