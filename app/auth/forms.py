from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    # No syntax check here (as in the token API): logging in only compares with existing accounts, and
    # email_validator refuses reserved domains such as the demo's ".test", locking those accounts out.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(_l("Nuova password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(_l("Conferma la password"), validators=[DataRequired(), EqualTo("password")])


class InvitationForm(FlaskForm):
    name = StringField(_l("Nome e cognome"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Ruolo"), choices=[])
    organization_id = SelectField(_l("Organizzazione"), choices=[], coerce=int)
    member_kind = SelectField(_l("Rappresentanza"), choices=[])
