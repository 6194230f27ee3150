"""The result of a poll, assembled from aggregated ballots (pure: no database, no Flask).

Input rows are `(content, ballots, weight)` as returned by one `GROUP BY content` query; the output
is the JSON stored on the poll at close and published. Option ids are JSON object keys, so they are
strings in every mapping. Counts are weights (equal to ballots unless the poll is weighted);
percentages use the base named in `"base"`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.votes import methods
from app.votes.ballots import decode_ids

Row = tuple[str, int, int]


def _keyed(mapping: dict[int, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in mapping.items()}


def running_counts(kind: str, option_ids: Sequence[int], rows: Iterable[Row]) -> dict[str, int]:
    """Counts shown while a poll is open: per answer, per option, or first preferences."""
    rows = list(rows)
    if kind == "yesno":
        return methods.count_yesno((content, weight) for content, _n, weight in rows)
    if kind == "choice":
        return _keyed(methods.count_choices(option_ids, ((decode_ids(c), w) for c, _n, w in rows)))
    return _keyed(methods.first_preferences(option_ids, ((decode_ids(c), w) for c, _n, w in rows)))


def build_result(
    *, kind: str, option_ids: Sequence[int], majority: str, quorum: int | None, entitled: int,
    entitled_weight: int, weighted: bool, rows: Iterable[Row],
) -> dict[str, Any]:
    rows = sorted(rows)
    voted = sum(n for _c, n, _w in rows)
    cast_weight = sum(w for _c, _n, w in rows)
    counts = running_counts(kind, option_ids, rows)
    result: dict[str, Any] = {
        "kind": kind,
        "voted": voted,
        "entitled": entitled,
        "cast_weight": cast_weight,
        "entitled_weight": entitled_weight,
        "weighted": weighted,
        "counts": counts,
        #: percentages are shares of the weight of the ballots cast (abstentions and blank included)
        "base": "cast",
        "percentages": methods.percentages(counts, cast_weight),
        "quorum": quorum,
        "quorum_reached": quorum is None or voted >= quorum,
        "turnout": methods.percentages({"voted": voted}, entitled)["voted"],
    }
    if kind == "yesno":
        outcome = methods.yesno_outcome(
            counts, majority=majority, quorum=quorum, ballots_cast=voted, entitled_weight=entitled_weight)
        result.update(majority=majority, passed=outcome.passed, reason=outcome.reason, required_yes=outcome.required_yes)
    elif kind == "choice":
        result["winners"] = [int(k) for k in methods.top_options(counts)] if cast_weight else []
    else:
        profile = [(decode_ids(c), w) for c, _n, w in rows]
        schulze = methods.schulze(option_ids, profile)
        borda = methods.borda(option_ids, profile)
        result.update(
            counts_label="first_preferences",
            borda=_keyed(borda),
            borda_winners=methods.top_options(borda) if cast_weight else [],
            schulze=schulze.order,
            schulze_tiers=schulze.tiers,
            pairwise={str(a): _keyed(row) for a, row in schulze.pairwise.items()},
            schulze_paths={str(a): _keyed(row) for a, row in schulze.paths.items()},
            condorcet_winner=methods.condorcet_winner(schulze.pairwise),
            irv=methods.instant_runoff(option_ids, profile).to_dict(),
        )
    return result
