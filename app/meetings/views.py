from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_login import current_user, login_required, login_user

from app.auth.labels import ROLE_LABELS
from app.auth.services import list_users
from app.auth.sockets import disconnect_user
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.ratelimit import code_limit
from app.extensions import db
from app.meetings import access_codes, services
from app.meetings.forms import MAX_CARDS_PER_PRINT, AccessCodesForm, ActionForm, AgendaItemForm, JoinForm, MeetingForm
from app.meetings.permissions import can_create_meeting, can_run_meeting, can_view_meeting
from app.meetings.snapshot import meeting_snapshot, page_messages, page_scripts

bp = Blueprint("meetings", __name__)


def _viewable(meeting_id: int):
    meeting = services.get_meeting(db.session, meeting_id)
    require(can_view_meeting(current_user, meeting), current_user)
    return meeting


def _runnable(meeting_id: int):
    meeting = _viewable(meeting_id)
    require(can_run_meeting(current_user, meeting), current_user)
    return meeting


def live_messages() -> dict[str, Any]:
    """Texts the live pages' script writes (translated here, so the script holds no language)."""
    return {
        "status": {"planned": _("in programma"), "open": _("aperto"), "closed": _("concluso")},
        "kinds": {"contribution": _("Intervento"), "reply": _("Replica"), "point_of_order": _("Mozione d'ordine")},
        "connecting": _("Collegamento in corso…"),
        "connected": _("Collegato: gli aggiornamenti arrivano in tempo reale."),
        "disconnected": _("Collegamento interrotto: riprovo a collegarmi…"),
        "minutes": _("%(n)s min"),
        "noCurrentItem": _("Nessun punto in discussione."),
        "remaining": _("Tempo residuo: %(time)s"),
        "overtime": _("Tempo previsto superato di %(time)s"),
        "elapsed": _("In discussione da %(time)s (durata non indicata)"),
        "nobodySpeaking": _("Nessuno ha la parola."),
        "speaking": _("Ha la parola: %(name)s"),
        "speakingFor": _("Parla da %(time)s"),
        "limit": _("Limite: %(time)s"),
        "overLimit": _("Limite di %(time)s superato"),
        "myPosition": _("Sei al posto %(n)s nella lista degli interventi."),
        "myTurn": _("Hai la parola."),
        "notInList": _("Non sei nella lista degli interventi."),
        "listOpen": _("La lista degli interventi è aperta."),
        "listClosed": _("La lista degli interventi è chiusa: non si accettano nuove richieste."),
        "emptyList": _("Nessuna richiesta in attesa."),
        "present": _("presente"),
        "absent": _("assente"),
        "markPresent": _("Segna presente"),
        "markAbsent": _("Segna assente"),
        "checkIn": _("Registra la mia presenza"),
        "checkOut": _("Segnala che esco"),
        "youArePresent": _("La tua presenza è registrata."),
        "youAreAbsent": _("La tua presenza non è registrata."),
        "presenceSummary": _("Presenti: %(members)s componenti, %(chair)s della presidenza, %(observers)s osservatori, %(participants)s partecipanti."),
        "quorum": _("Organizzazioni aderenti presenti: %(present)s su %(entitled)s; la maggioranza è %(majority)s."),
        "quorumMet": _("Maggioranza raggiunta."),
        "quorumNotMet": _("Maggioranza non raggiunta."),
        "agendaUpdated": _("Ordine del giorno aggiornato."),
        "currentItem": _("Ora in discussione: %(title)s"),
        "meetingStatus": _("L'incontro è %(status)s."),
        "confirmDelete": _("Eliminare questo punto dall'ordine del giorno?"),
        "error": _("Operazione non riuscita."),
        "offline": _("Non collegato: riprova tra poco."),
        "noTotals": _("Nessun intervento concluso."),
    }


def _live_page(template: str, meeting, view: str, **extra: Any):
    snapshot = meeting_snapshot(db.session, meeting, current_user)
    return render_template(
        template, meeting=meeting, snapshot=snapshot, view=view,
        messages={**live_messages(), **page_messages(meeting)},
        page_scripts=page_scripts(), can_run=can_run_meeting(current_user, meeting),
        items_by_id={item["id"]: item for item in snapshot["agenda"]}, action_form=ActionForm(), **extra,
    )


@bp.route("/meetings", methods=["GET", "POST"])
def index():
    form = MeetingForm()
    status = 200
    if request.method == "POST":
        require(can_create_meeting(current_user), current_user)
        if form.validate_on_submit():
            try:
                meeting = services.create_meeting(
                    db.session, current_user, title=form.title.data, place=form.place.data or "",
                    # the form speaks local time (Europe/Rome); the database keeps UTC
                    starts_at=to_utc(form.starts_at.data).replace(tzinfo=dt.timezone.utc),
                )
            except DomainError as exc:
                db.session.rollback()
                form.title.errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                flash(_("Incontro creato: ora puoi preparare l'ordine del giorno."), "success")
                return redirect(url_for("meetings.console", meeting_id=meeting.id))
        else:
            status = 422
    return render_template(
        "meetings/index.html", meetings=services.list_meetings(db.session, current_user), form=form,
        can_create=can_create_meeting(current_user),
    ), status


@bp.get("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    """The participant view: made for phones."""
    return _live_page("meetings/detail.html", _viewable(meeting_id), "participant")


@bp.get("/meetings/<int:meeting_id>/console")
@login_required
def console(meeting_id: int):
    meeting = _runnable(meeting_id)
    people = [u for u in list_users(db.session) if u.active]
    return _live_page("meetings/console.html", meeting, "console", people=people, role_labels=ROLE_LABELS,
                      agenda_form=AgendaItemForm())


@bp.get("/meetings/<int:meeting_id>/projector")
@login_required
def projector(meeting_id: int):
    return _live_page("meetings/projector.html", _viewable(meeting_id), "projector")


#: the status buttons of the console: service and confirmation of each
TRANSITIONS = {
    "open": (services.open_meeting, _l("Incontro aperto.")),
    "close": (services.close_meeting, _l("Incontro concluso.")),
}


@bp.post("/meetings/<int:meeting_id>/<any(open, close):action>")
@login_required
def transition(meeting_id: int, action: str):
    """Open or close the meeting without JavaScript (the console's script calls the API instead)."""
    change, done = TRANSITIONS[action]
    change(db.session, current_user, _runnable(meeting_id))
    db.session.commit()
    flash(str(done), "success")
    return redirect(url_for("meetings.console", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/agenda")
@login_required
def add_item_view(meeting_id: int):
    """The agenda form without JavaScript (the console's script sends it to the API instead)."""
    meeting = _runnable(meeting_id)
    form = AgendaItemForm()
    if form.validate_on_submit():
        services.add_agenda_item(db.session, current_user, meeting, title=form.title.data,
                                 duration=form.duration.data, ref=form.ref.data or None)
        db.session.commit()
        flash(_("Punto aggiunto all'ordine del giorno."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("meetings.console", meeting_id=meeting_id) + "#agenda-editor")


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI for an <img>. A fixed mask keeps a thousand cards fast to draw."""
    return segno.make_qr(text, error="m", mask=0, boost_error=False).svg_data_uri(scale=4, border=2)


@bp.route("/meetings/<int:meeting_id>/codes", methods=["GET", "POST"])
@login_required
def codes(meeting_id: int):
    """Generate personal access codes and print their cards (shown only in this response)."""
    meeting = _runnable(meeting_id)
    form = AccessCodesForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            created = access_codes.create_access_codes(db.session, current_user, meeting, form.count.data)
            db.session.commit()
            cards = []
            for row, code in created:
                join_url = url_for("meetings.join", code=code, _external=True)
                cards.append({"number": row.number, "code": code, "url": join_url, "qr": qr_data_uri(join_url)})
            response = render_template("meetings/cards.html", meeting=meeting, cards=cards,
                                       join_url=url_for("meetings.join", _external=True))
            # the codes exist nowhere else: no copy in caches or history
            return response, 201, {"Cache-Control": "no-store"}
        status = 422
    return render_template(
        "meetings/codes.html", meeting=meeting, form=form, codes=access_codes.list_access_codes(db.session, meeting),
        action_form=ActionForm(), max_cards=MAX_CARDS_PER_PRINT,
    ), status


@bp.post("/meetings/<int:meeting_id>/codes/<int:code_id>/revoke")
@login_required
def revoke_code(meeting_id: int, code_id: int):
    meeting = _runnable(meeting_id)
    access_code = access_codes.get_access_code(db.session, code_id, meeting)
    access_codes.revoke_access_code(db.session, current_user, access_code)
    db.session.commit()
    if access_code.user_id:
        disconnect_user(access_code.user_id)
    flash(_("Codice n. %(n)d revocato.", n=access_code.number), "success")
    return redirect(url_for("meetings.codes", meeting_id=meeting.id))


@bp.route("/join", methods=["GET", "POST"])
@code_limit
def join():
    """Town meeting: enter with the personal code (typed, or prefilled from the card's QR code)."""
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:64]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user, access_code = access_codes.redeem_access_code(db.session, form.code.data)
            except DomainError as exc:
                db.session.rollback()
                form.code.errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                session.clear()
                login_user(user)
                flash(_("Benvenuta/o: sei entrata/o come %(name)s.", name=user.name), "success")
                return redirect(url_for("meetings.detail", meeting_id=access_code.meeting_id))
        else:
            status = 422
    return render_template("meetings/join.html", form=form), status


def home_panel() -> dict:
    """Home page: meetings open now and the next ones (a participant sees only their own)."""
    meetings = services.list_meetings(db.session, current_user)
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "template": "meetings/_home_panel.html",
        "open_meetings": [m for m in meetings if m.status == "open"],
        "next_meetings": sorted((m for m in meetings if m.status == "planned" and m.starts_at >= now),
                                key=lambda m: m.starts_at)[:3],
    }
