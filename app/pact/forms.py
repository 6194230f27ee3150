from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.pact.services import POSITIONS

POSITION_LABELS = {"endorse": _l("Aderisce"), "reservation": _l("Aderisce con riserva"), "oppose": _l("Contraria")}


class EndorsementForm(FlaskForm):
    position = SelectField(_l("Posizione della mia organizzazione"),
                           choices=[(p, POSITION_LABELS[p]) for p in POSITIONS], validators=[DataRequired()])
    note = TextAreaField(_l("Riserva o motivazione"), validators=[Optional(), Length(max=2000)],
                         description=_l("Obbligatoria per una riserva o una contrarietà."))


class SignForm(FlaskForm):
    version = SelectField(_l("Versione da firmare"), coerce=int, validators=[DataRequired()])
    declaration = TextAreaField(_l("Dichiarazione (facoltativa)"), validators=[Optional(), Length(max=2000)])


class ClauseEditForm(FlaskForm):
    title = StringField(_l("Titolo dell'articolo"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Testo"), validators=[DataRequired(), Length(max=20_000)])
    commitments = TextAreaField(_l("Impegni dei firmatari"), validators=[Optional(), Length(max=20_000)],
                                description=_l("Un impegno per riga."))
    reason = TextAreaField(_l("Motivo della modifica"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Resta nella storia delle revisioni."))
