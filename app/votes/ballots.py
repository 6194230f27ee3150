"""Ballot formats: validation of what a voter sends, and the stored canonical form.

A ballot is stored as one short string, so that tallying is a single `GROUP BY content` query
whatever the kind (identical ballots aggregate; nobody's ballot is loaded on its own):

- yesno: `yes` | `no` | `abstain`
- choice: the chosen option ids, ascending, comma-separated (`3,7`)
- ranking: the ranked option ids, best first, comma-separated (`7,3,5`); a partial ranking is shorter
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from app.core.errors import InvalidInput
from app.votes.methods import YESNO_CHOICES

BALLOT_KEYS = {"yesno": {"choice"}, "choice": {"choice", "choices"}, "ranking": {"ranking"}}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(message: str, code: str, field: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [code]})


def _option_ids(values: Any, field: str, option_ids: set[int]) -> list[int]:
    if not isinstance(values, list) or not all(_is_int(v) for v in values):
        raise _invalid(_("Indica le opzioni con i loro identificativi numerici."), "invalid_ballot", field)
    if len(set(values)) != len(values):
        raise _invalid(_("La stessa opzione compare più di una volta."), "duplicate_option", field)
    if not set(values) <= option_ids:
        raise _invalid(_("Opzione sconosciuta per questa votazione."), "unknown_option", field)
    return values


def encode_ballot(kind: str, option_ids: Sequence[int], max_choices: int | None, ballot: Mapping[str, Any]) -> str:
    """Validate a ballot (`{"choice"}`, `{"choices"}` or `{"ranking"}` as in interface.md) and encode it."""
    keys = set(ballot)
    allowed = BALLOT_KEYS[kind]
    if not keys or not keys <= allowed or len(keys) > 1:
        expected = ", ".join(sorted(allowed))
        raise InvalidInput(_("Scheda non valida: è atteso uno solo di questi campi: %(f)s.", f=expected),
                           code="invalid_ballot", fields={k: ["unexpected"] for k in keys - allowed} or {"_": ["missing"]})
    known = set(option_ids)
    if kind == "yesno":
        choice = ballot["choice"]
        if choice not in YESNO_CHOICES:
            raise _invalid(_("Scegli tra sì, no e astensione."), "invalid_choice", "choice")
        return str(choice)
    if kind == "choice":
        chosen = [ballot["choice"]] if "choice" in ballot else ballot["choices"]
        field = "choice" if "choice" in ballot else "choices"
        if "choice" in ballot and not _is_int(ballot["choice"]):
            raise _invalid(_("Indica l'opzione con il suo identificativo numerico."), "invalid_ballot", field)
        chosen = _option_ids(chosen, field, known)
        if not chosen:
            raise _invalid(_("Scegli almeno un'opzione."), "empty_ballot", field)
        if len(chosen) > (max_choices or 1):
            raise _invalid(_("Puoi scegliere al massimo %(n)d opzioni.", n=max_choices or 1), "too_many_choices", field)
        return ",".join(str(o) for o in sorted(chosen))
    ranking = _option_ids(ballot["ranking"], "ranking", known)
    if not ranking:
        raise _invalid(_("Classifica almeno un'opzione."), "empty_ballot", "ranking")
    return ",".join(str(o) for o in ranking)


def decode_ids(content: str) -> list[int]:
    return [int(part) for part in content.split(",")] if content else []


def decode_ballot(kind: str, content: str) -> dict[str, Any]:
    """The stored form back as the API's ballot shape."""
    if kind == "yesno":
        return {"choice": content}
    if kind == "choice":
        return {"choices": decode_ids(content)}
    return {"ranking": decode_ids(content)}
