from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from app.core.errors import DomainError, InvalidInput
from app.core.permissions import require
from app.extensions import db
from app.votes.export import ballot_text, yesno_labels
from app.votes.forms import CorrectionForm, PollForm
from app.votes.loading import load_poll
from app.votes.models import Poll
from app.votes.permissions import can_create_poll
from app.votes.services import (
    cast_ballot, check_receipt, close_poll, create_poll, list_poll_dicts, list_polls, open_poll, poll_dict,
    publish_correction, tick,
)

bp = Blueprint("votes", __name__)


@bp.app_template_filter("votes_pct")
def percent_filter(value: Any) -> str:
    """42.5 → "42,50 %" in Italian (the locale's decimal mark)."""
    return f"{format_decimal(float(value or 0), format='#,##0.00')} %"


def _meeting_choices() -> list[SelectChoice]:
    from app.meetings.models import Meeting

    meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.starts_at.desc())).all()
    return [SelectChoice("0", _("Nessuno: votazione online"))] + [SelectChoice(str(m.id), m.title) for m in meetings]


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime-local typed in Italian time, as UTC."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Rome"))
    return value.replace(tzinfo=zone).astimezone(dt.timezone.utc)


@bp.get("/polls")
def index():
    if tick(db.session):
        db.session.commit()
    polls = list_polls(db.session, current_user)
    return render_template("votes/index.html", polls=list_poll_dicts(db.session, polls),
                           can_create=can_create_poll(current_user))


@bp.route("/polls/new", methods=["GET", "POST"])
@login_required
def new():
    require(can_create_poll(current_user), current_user)
    form = PollForm()
    form.meeting_id.choices = _meeting_choices()
    status = 200
    if form.validate_on_submit():
        options = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
        try:
            poll = create_poll(
                db.session, current_user, title=form.title.data, description=form.description.data or "",
                kind=form.kind.data, options=options if form.kind.data != "yesno" else None,
                max_choices=form.max_choices.data if form.kind.data == "choice" else None,
                meeting_id=form.meeting_id.data or None, secret=form.secret.data, hide_tally=form.hide_tally.data,
                majority=form.majority.data, quorum=form.quorum.data, electorate=form.electorate.data,
                weighted=form.weighted.data, opens_at=_as_utc(form.opens_at.data), closes_at=_as_utc(form.closes_at.data),
            )
        except InvalidInput as exc:
            db.session.rollback()
            for name in exc.fields:
                getattr(form, name, form.title).errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash(_("Votazione creata in bozza."), "success")
            return redirect(url_for("votes.detail", poll_id=poll.id))
    elif request.method == "POST":
        status = 422
    return render_template("votes/new.html", form=form), status


def _detail(poll: Poll, status: int = 200, receipt: dict | None = None):
    data = poll_dict(db.session, poll, current_user)
    borda = (data.get("result") or {}).get("borda", {})
    return render_template(
        "votes/detail.html", poll=poll, data=data, labels={o.id: o.label for o in poll.options},
        option_items=[(str(o.id), o.label) for o in poll.options],
        borda_order=sorted(poll.options, key=lambda o: (-borda.get(str(o.id), 0), o.position)),
        yesno=yesno_labels(), correction_form=CorrectionForm(), receipt=receipt,
        organizations=_organization_names(data),
    ), status


def _organization_names(data: dict) -> dict[int, str]:
    from app.organizations.models import Organization

    ids = [p["organization_id"] for p in (data.get("viewer") or {}).get("on_behalf_of", [])]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


@bp.get("/polls/<int:poll_id>")
def detail(poll_id: int):
    return _detail(load_poll(poll_id, current_user))


@bp.post("/polls/<int:poll_id>/open")
@login_required
def open_view(poll_id: int):
    poll = open_poll(db.session, current_user, load_poll(poll_id, current_user))
    db.session.commit()
    flash(_("Votazione aperta: il corpo elettorale è fissato."), "success")
    return redirect(url_for("votes.detail", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/close")
@login_required
def close_view(poll_id: int):
    poll = close_poll(db.session, current_user, load_poll(poll_id, current_user))
    db.session.commit()
    flash(_("Votazione chiusa: il risultato è pubblicato."), "success")
    return redirect(url_for("votes.detail", poll_id=poll.id))


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _ballot_from_form(poll: Poll) -> dict[str, Any]:
    """The HTML form's fields as the API's ballot shape (the service validates the rest)."""
    ballot: dict[str, Any] = {}
    if poll.kind == "yesno":
        ballot["choice"] = request.form.get("choice", "")
    elif poll.kind == "choice":
        ballot["choices"] = [int(v) for v in request.form.getlist("choices") if v.isdigit()]
    else:
        positions: dict[int, int] = {}
        for option in poll.options:
            position = _int_or_none(request.form.get(f"position-{option.id}"))
            if position is not None:
                positions[option.id] = position
        if len(set(positions.values())) != len(positions):
            raise InvalidInput(_("Due opzioni hanno la stessa posizione: ogni posizione si usa una volta sola."),
                               code="duplicate_position", fields={"ranking": ["duplicate_position"]})
        ballot["ranking"] = sorted(positions, key=positions.__getitem__)
    on_behalf_of = _int_or_none(request.form.get("on_behalf_of"))
    if on_behalf_of is not None and on_behalf_of != current_user.organization_id:
        ballot["on_behalf_of"] = on_behalf_of
    return ballot


@bp.post("/polls/<int:poll_id>/ballots")
@login_required
def ballot_view(poll_id: int):
    poll = load_poll(poll_id, current_user)
    try:
        receipt = cast_ballot(db.session, current_user, poll, _ballot_from_form(poll))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _detail(poll, exc.status)
    db.session.commit()
    flash(_("Voto registrato. La tua ricevuta è %(code)s: conservala per verificare che la scheda sia stata conteggiata.",
            code=receipt), "success")
    return redirect(url_for("votes.detail", poll_id=poll.id))


@bp.get("/polls/<int:poll_id>/receipt")
def receipt_view(poll_id: int):
    poll = load_poll(poll_id, current_user)
    code = request.args.get("code", "")
    try:
        found = check_receipt(db.session, poll, code)
    except DomainError as exc:
        flash(exc.message, "warning")
        return _detail(poll, exc.status)
    if "ballot" in found:  # named polls only: say what the ballot records
        found["text"] = ballot_text(poll, found["ballot"])
    return _detail(poll, receipt=found)


@bp.post("/polls/<int:poll_id>/corrections")
@login_required
def correction_view(poll_id: int):
    poll = load_poll(poll_id, current_user)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("Scrivi il testo della rettifica."), "danger")
        return _detail(poll, 422)
    publish_correction(db.session, current_user, poll, form.text.data)
    db.session.commit()
    flash(_("Rettifica pubblicata accanto alla votazione."), "success")
    return redirect(url_for("votes.detail", poll_id=poll.id))


def home_panel() -> dict:
    """The home page lists the polls open now."""
    polls = list_polls(db.session, current_user, state="open")[:5]
    return {"template": "votes/_home_panel.html", "open_polls": list_poll_dicts(db.session, polls)}
