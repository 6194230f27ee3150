from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.records.services import RECORD_BODY_MAX


class MinutesEditForm(FlaskForm):
    body = TextAreaField(_l("Testo del verbale (Markdown)"), validators=[DataRequired(), Length(max=RECORD_BODY_MAX)])
    reason = TextAreaField(_l("Motivo della modifica"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Resta nella storia delle revisioni."))


class DocumentEditForm(MinutesEditForm):
    body = TextAreaField(_l("Testo del documento (Markdown)"),
                         validators=[DataRequired(), Length(max=RECORD_BODY_MAX)])
