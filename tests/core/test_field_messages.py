"""marshmallow's field messages worded in the request's language, on the API and the live channel."""
from __future__ import annotations

import marshmallow as ma
import pytest

from app.core.field_messages import TEMPLATES, localize, localize_messages
from tests.auth.test_api import assert_error
from tests.meetings.factories import make_chair, make_meeting
from tests.meetings.test_sockets import connect, emit


def _marshmallow_templates() -> set[str]:
    """Every message template marshmallow itself produces for the fields and validators we use."""
    produced: set[str] = set()
    stack: list[type] = [ma.fields.Field]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        produced.update(cls.default_error_messages.values())
    for obj_type in ("datetime", "date"):  # DateTime's {obj_type} / {awareness}, as its subclasses fill them
        produced.add(f"Not a valid {obj_type}.")
        produced.add(f'"{{input}}" cannot be formatted as a {obj_type}.')
    produced.add("Not a valid aware datetime.")
    produced.update(ma.Schema._default_error_messages.values())
    produced.add(ma.validate.OneOf.default_message)
    produced.update((ma.validate.Length.message_min, ma.validate.Length.message_max,
                     ma.validate.Length.message_all, ma.validate.Length.message_equal))
    for inclusive in (True, False):
        bounds = ma.validate.Range(min=1, max=2, min_inclusive=inclusive, max_inclusive=inclusive)
        produced.update((bounds.message_min, bounds.message_max, bounds.message_all))
    return produced


def test_every_template_is_one_marshmallow_still_produces():
    assert set(TEMPLATES) - _marshmallow_templates() == set()


def test_the_fields_we_use_have_their_messages_translated():
    wanted = {ma.fields.Field, ma.fields.String, ma.fields.Integer, ma.fields.Number, ma.fields.List,
              ma.fields.Boolean, ma.fields.Dict, ma.fields.Nested, ma.fields.Email, ma.fields.URL, ma.fields.Date}
    untranslated = {message for cls in wanted for message in cls.default_error_messages.values()} - set(TEMPLATES)
    assert untranslated == set()


def test_formatted_messages_keep_their_values(app):
    with app.test_request_context("/"):
        assert localize("Must be greater than or equal to 1 and less than or equal to 5000.") == "Deve essere tra 1 e 5000."
        assert localize("Must be one of: for, against.") == "Deve essere uno tra: for, against."
        assert localize('"31/02" cannot be formatted as a date.') == "«31/02» non è una data valida."
        assert localize("Scheda non valida.") == "Scheda non valida."  # our own message, already Italian
        nested = localize_messages({"items": {0: {"title": ["Missing data for required field."]}}})
        assert nested == {"items": {0: {"title": ["Campo obbligatorio."]}}}
    with app.test_request_context("/?lang=en"):
        assert localize("Longer than maximum length 200.") == "Longer than maximum length 200."


def test_api_field_messages_in_italian_and_on_request_in_english(client):
    body = {"password": "x", "admin": True}
    error = assert_error(client.post("/api/v1/auth/token", json=body), 422, "invalid_input")
    assert error["fields"] == {"email": ["Campo obbligatorio."], "admin": ["Campo non previsto."]}
    error = assert_error(client.post("/api/v1/auth/token?lang=en", json=body), 422, "invalid_input")
    assert error["fields"] == {"email": ["Missing data for required field."], "admin": ["Unknown field."]}


@pytest.mark.parametrize("query, expected", [
    ("after=-1", {"after": ["Deve essere tra 0 e 2147483647."]}),
    ("limit=abc", {"limit": ["Non è un numero intero."]}),
])
def test_query_string_messages_in_italian(client, query, expected):
    error = assert_error(client.get(f"/api/v1/audit?{query}"), 422, "invalid_input")
    assert error["fields"] == expected


def test_live_refusal_names_the_field_in_italian(app, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    ack = emit(connect(app, session, chair), "check_in", {"meeting_id": meeting.id, "present": "maybe"})
    assert ack["ok"] is False and ack["error"]["fields"] == {"present": ["Non è un valore vero/falso (true o false)."]}
