"""marshmallow's field messages in the request's language (Italian first).

marshmallow words its validation messages in English and formats them when the schema is defined
(a Range's bounds) or when a field fails: there is no hook to hand it translated templates per
request, and its schemas are built once at import. So the faces translate at the boundary: each
English message of a failed field is matched against marshmallow's templates below and re-worded
from our catalogue with the same values. A message we do not know (our own validators already speak
Italian) passes unchanged. tests/core/test_field_messages.py checks that every English template is
still one marshmallow produces, so a re-wording upstream shows up as a failing test, not as English.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

#: marshmallow's English template → our Italian msgid, with the same {placeholders}
TEMPLATES: dict[str, Any] = {
    "Missing data for required field.": _l("Campo obbligatorio."),
    "Field may not be null.": _l("Il campo non può essere nullo."),
    "Invalid value.": _l("Valore non valido."),
    "Not a valid string.": _l("Non è un testo."),
    "Not a valid utf-8 string.": _l("Non è un testo UTF-8 valido."),
    "Not a valid integer.": _l("Non è un numero intero."),
    "Not a valid number.": _l("Non è un numero."),
    "Number too large.": _l("Numero troppo grande."),
    "Invalid type.": _l("Tipo non valido."),
    "Not a valid list.": _l("Non è un elenco."),
    "Not a valid boolean.": _l("Non è un valore vero/falso (true o false)."),
    "Not a valid mapping type.": _l("Non è un oggetto."),
    "Not a valid datetime.": _l("Non è una data e ora valida."),
    "Not a valid aware datetime.": _l("Data e ora senza fuso orario: indica il fuso (es. +01:00)."),
    '"{input}" cannot be formatted as a datetime.': _l("«{input}» non è una data e ora valida."),
    "Not a valid date.": _l("Non è una data valida."),
    '"{input}" cannot be formatted as a date.': _l("«{input}» non è una data valida."),
    "Not a valid email address.": _l("Non è un indirizzo email valido."),
    "Not a valid URL.": _l("Non è un URL valido."),
    "Invalid input type.": _l("Tipo di dati non valido."),
    "Unknown field.": _l("Campo non previsto."),
    "Must be one of: {choices}.": _l("Deve essere uno tra: {choices}."),
    "Shorter than minimum length {min}.": _l("Troppo corto: almeno {min} caratteri o elementi."),
    "Longer than maximum length {max}.": _l("Troppo lungo: al massimo {max} caratteri o elementi."),
    "Length must be between {min} and {max}.": _l("La lunghezza deve essere tra {min} e {max}."),
    "Length must be {equal}.": _l("La lunghezza deve essere {equal}."),
    "Must be greater than or equal to {min}.": _l("Deve essere almeno {min}."),
    "Must be less than or equal to {max}.": _l("Deve essere al massimo {max}."),
    "Must be greater than or equal to {min} and less than or equal to {max}.": _l("Deve essere tra {min} e {max}."),
    "Must be greater than {min}.": _l("Deve essere maggiore di {min}."),
    "Must be less than {max}.": _l("Deve essere minore di {max}."),
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], Any]]:
    """Each template as a whole-message pattern, its {placeholders} as named groups; the longest
    first, since a placeholder matches any text ("Must be greater than or equal to {min}." would
    otherwise swallow the bounds message of "… {min} and less than or equal to {max}.")."""
    patterns = []
    for english, ours in sorted(TEMPLATES.items(), key=lambda item: -len(item[0])):
        parts = re.split(r"\{(\w+)\}", english)  # literal, name, literal, name, …
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        patterns.append((re.compile(regex + r"\Z", re.DOTALL), ours))
    return patterns


def localize(message: str) -> str:
    """One marshmallow message in the request's language; an unknown one unchanged."""
    for pattern, ours in _patterns():
        match = pattern.match(message)
        if match:
            return str(ours).format(**match.groupdict())  # str(): the lazy msgid in the current language
    return message


def localize_messages(messages: Any) -> Any:
    """A ValidationError's messages (nested dicts and lists of strings) with every string localized."""
    if isinstance(messages, dict):
        return {key: localize_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [localize_messages(value) for value in messages]
    if isinstance(messages, str):
        return localize(messages)
    return messages
