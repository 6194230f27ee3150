"""Forms of the deliberation partials. Many sit on one page: each gets a prefix (unique ids)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.deliberation.labels import ALIGNMENT_LABELS
from app.deliberation.services import BODY_MAX, COMMENT_MAX, REASON_MAX, TITLE_MAX


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Il tuo commento (Markdown)"), validators=[DataRequired(), Length(max=COMMENT_MAX)])
    alignment = RadioField(
        _l("Posizione"),
        choices=[SelectChoice("", _l("Nessuna"))] + [SelectChoice(key, label) for key, label in ALIGNMENT_LABELS.items()],
        default="", validators=[Optional()],
    )


class CommentEditForm(FlaskForm):
    body = TextAreaField(_l("Nuovo testo del commento"), validators=[DataRequired(), Length(max=COMMENT_MAX)])


class FlagForm(FlaskForm):
    reason = TextAreaField(_l("Perché lo segnali? (facoltativo)"), validators=[Length(max=REASON_MAX)])


class ReasonForm(FlaskForm):
    """Accepting or withdrawing: an optional reason."""

    reason = TextAreaField(_l("Motivazione (facoltativa)"), validators=[Length(max=REASON_MAX)])


class RequiredReasonForm(FlaskForm):
    """Hiding a comment or rejecting an amendment: the reason is public and required."""

    reason = TextAreaField(_l("Motivazione (obbligatoria, pubblica)"), validators=[DataRequired(), Length(max=REASON_MAX)])


class AmendmentForm(FlaskForm):
    title = StringField(_l("Nuovo titolo (facoltativo)"), validators=[Optional(), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Testo proposto (intero, Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    reason = TextAreaField(_l("Motivazione dell'emendamento"), validators=[DataRequired(), Length(max=REASON_MAX)])
    draft = BooleanField(_l("Salva come bozza (visibile solo a te)"))
