from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class AdhesionForm(FlaskForm):
    statement = TextAreaField(_l("Dichiarazione di adesione (facoltativa)"), validators=[Length(max=5000)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Motivazione del ritiro (facoltativa)"), validators=[Length(max=5000)])
