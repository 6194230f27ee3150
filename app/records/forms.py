from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.deliberation.services import BODY_MAX


class MinutesEditForm(FlaskForm):
    body = TextAreaField(_l("Testo del verbale (Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    reason = TextAreaField(_l("Motivo della modifica"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Resta nella storia delle revisioni."))
