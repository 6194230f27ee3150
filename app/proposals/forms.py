from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.deliberation.services import BODY_MAX, REASON_MAX, TITLE_MAX


class ProposalForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    axis_id = SelectField(_l("Asse prioritario"), coerce=int, validators=[DataRequired()])
    body = TextAreaField(_l("Testo della proposta (Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    publish = BooleanField(_l("Porta subito in discussione al tavolo (altrimenti resta una bozza)"))


class ProposalEditForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Testo della proposta (Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    reason = TextAreaField(_l("Motivo della modifica"), validators=[DataRequired(), Length(max=REASON_MAX)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Nuovo stato"), validators=[DataRequired()])
    reason = TextAreaField(_l("Motivazione (facoltativa)"), validators=[Length(max=REASON_MAX)])


class SupportForm(FlaskForm):
    """Only the CSRF token: supporting is one click."""
