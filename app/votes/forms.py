from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.votes.services import DESCRIPTION_MAX, QUORUM_MAX, TITLE_MAX

KIND_CHOICES = [SelectChoice("yesno", _l("Sì / No / Astensione")), SelectChoice("choice", _l("Scelta tra opzioni")),
                SelectChoice("ranking", _l("Classifica delle priorità"))]
MAJORITY_CHOICES = [SelectChoice("simple", _l("Semplice: più sì che no")),
                    SelectChoice("absolute", _l("Assoluta: sì da più di metà degli aventi diritto")),
                    SelectChoice("two_thirds", _l("Due terzi: sì da almeno due terzi delle schede espresse"))]
ELECTORATE_CHOICES = [SelectChoice("organizations", _l("Le organizzazioni del tavolo (una scheda ciascuna)")),
                      SelectChoice("people", _l("Le persone (una scheda a testa)"))]


class PollForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Descrizione (facoltativa)"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    kind = SelectField(_l("Tipo di votazione"), choices=KIND_CHOICES)
    options = TextAreaField(_l("Opzioni, una per riga (per scelta e classifica)"), validators=[Optional()])
    max_choices = IntegerField(_l("Scelte massime per scheda (solo per la scelta tra opzioni)"),
                               validators=[Optional(), NumberRange(min=1, max=50)])
    meeting_id = SelectField(_l("Incontro"), coerce=int, choices=[])
    majority = SelectField(_l("Maggioranza richiesta (sì / no)"), choices=MAJORITY_CHOICES)
    quorum = IntegerField(_l("Quorum: schede minime perché il voto sia valido (facoltativo)"),
                          validators=[Optional(), NumberRange(min=0, max=QUORUM_MAX)])
    electorate = SelectField(_l("Chi vota"), choices=ELECTORATE_CHOICES)
    secret = BooleanField(_l("Voto segreto"))
    hide_tally = BooleanField(_l("Nascondi i conteggi fino alla chiusura"))
    weighted = BooleanField(_l("Voto ponderato (peso di ciascuna organizzazione)"))
    opens_at = DateTimeLocalField(_l("Apertura programmata (ora italiana, facoltativa)"), validators=[Optional()],
                                  format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Chiusura programmata (ora italiana, facoltativa)"), validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("Testo della rettifica"), validators=[DataRequired(), Length(max=5000)])
