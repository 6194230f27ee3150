from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.meetings.services import MAX_DURATION

#: cards printed from one form: each carries a QR code drawn by the server (the API allows 5000 a call)
MAX_CARDS_PER_PRINT = 1000


class MeetingForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Data e ora di inizio"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    place = StringField(_l("Luogo o collegamento"), validators=[Length(max=300)])


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Titolo del punto"), validators=[DataRequired(), Length(max=300)])
    duration = IntegerField(_l("Durata prevista (minuti)"), validators=[Optional(), NumberRange(min=1, max=MAX_DURATION)])
    ref = StringField(_l("Riferimento (facoltativo)"), validators=[Optional(), Length(max=80)])


class AccessCodesForm(FlaskForm):
    count = IntegerField(_l("Quanti codici generare"), validators=[DataRequired(), NumberRange(min=1, max=MAX_CARDS_PER_PRINT)])


class JoinForm(FlaskForm):
    code = StringField(_l("Codice di accesso"), validators=[DataRequired(), Length(max=64)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""
