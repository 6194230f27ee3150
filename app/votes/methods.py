"""Tally algorithms: pure functions over weighted ballots, no database and no Flask.

Every function is deterministic: the same multiset of ballots gives the same result whatever their
order (ballots are aggregated first, options are always walked in ascending id order) and no tie
is ever broken silently: ties come back as lists (tiers, tied winners, tied eliminations).

Conventions (also in docs/votes.md):

- A *profile* is an iterable of `(ranking, weight)`: `ranking` a sequence of distinct option ids,
  best first, possibly partial (options left out are "unranked"); `weight` a positive integer
  (1 unless the poll is weighted).
- **Borda**: with `n` options in the poll, an option at 0-based position `p` of a ranking gets
  `n - 1 - p` points times the ballot's weight; unranked options get nothing (they do not share the
  remaining points). A full ranking therefore gives the classic scores n-1 … 0, and a partial ranking
  gives its options exactly what they would get at the same places of a full one. This is the
  "domination Borda" of the literature (points = options ranked strictly below).
- **Pairwise matrix** `d[a][b]`: total weight of ballots preferring `a` to `b`. A ranked option is
  preferred to every unranked one; two unranked options are not compared (no preference).
- **Schulze** (beat-path) with *winning votes*: a link a→b has strength `d[a][b]` when
  `d[a][b] > d[b][a]`, else 0; `p[a][b]` is the strength of the strongest path (widest path,
  Floyd–Warshall). `a` beats `b` when `p[a][b] > p[b][a]`; that relation is transitive, so the
  order is built as tiers: the options no remaining option beats form the next tier. A tier with
  more than one option is a tie.
- **Instant runoff**: each round every ballot counts for its highest-ranked continuing option;
  ballots ranking none of them are exhausted. An option with more than half of the non-exhausted
  weight wins; so does the last continuing option. Otherwise *all* options with the fewest votes are
  eliminated together (no lot, no look-back tie-break: the round reports the tie); if every
  continuing option has the same count they are all (tied) winners.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Profile = Iterable[tuple[Sequence[int], int]]
YESNO_CHOICES = ("yes", "no", "abstain")
MAJORITIES = ("simple", "absolute", "two_thirds")


def _check_weight(weight: int) -> None:
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise ValueError(f"weights are positive integers, got {weight!r}")


def aggregate_rankings(options: Sequence[int], profile: Profile) -> list[tuple[tuple[int, ...], int]]:
    """Merge identical rankings, validated, sorted: the canonical (order-free) form of a profile."""
    known = set(options)
    merged: Counter[tuple[int, ...]] = Counter()
    for ranking, weight in profile:
        _check_weight(weight)
        ranking = tuple(ranking)
        if len(set(ranking)) != len(ranking):
            raise ValueError(f"duplicate option in ranking {ranking}")
        if not set(ranking) <= known:
            raise ValueError(f"unknown option in ranking {ranking}")
        if ranking:
            merged[ranking] += weight
    return sorted(merged.items())


def count_yesno(ballots: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Weighted counts of yes / no / abstain (every key present)."""
    counts = dict.fromkeys(YESNO_CHOICES, 0)
    for choice, weight in ballots:
        _check_weight(weight)
        if choice not in counts:
            raise ValueError(f"unknown yes/no choice {choice!r}")
        counts[choice] += weight
    return counts


def count_choices(options: Sequence[int], ballots: Iterable[tuple[Sequence[int], int]]) -> dict[int, int]:
    """Weighted counts per option of choice ballots (each ballot: the option ids it marks)."""
    counts = dict.fromkeys(sorted(options), 0)
    for chosen, weight in ballots:
        _check_weight(weight)
        chosen = list(chosen)
        if len(set(chosen)) != len(chosen) or not set(chosen) <= counts.keys():
            raise ValueError(f"invalid choice ballot {chosen}")
        for option in chosen:
            counts[option] += weight
    return counts


def first_preferences(options: Sequence[int], profile: Profile) -> dict[int, int]:
    """Weighted count of ballots ranking each option first."""
    counts = dict.fromkeys(sorted(options), 0)
    for ranking, weight in aggregate_rankings(options, profile):
        counts[ranking[0]] += weight
    return counts


def borda(options: Sequence[int], profile: Profile) -> dict[int, int]:
    """Borda scores: n-1-position points for ranked options, nothing for unranked ones."""
    n = len(options)
    scores = dict.fromkeys(sorted(options), 0)
    for ranking, weight in aggregate_rankings(options, profile):
        for position, option in enumerate(ranking):
            scores[option] += (n - 1 - position) * weight
    return scores


def pairwise(options: Sequence[int], profile: Profile) -> dict[int, dict[int, int]]:
    """d[a][b]: weight of ballots preferring a to b (ranked beats unranked; unranked pairs: none)."""
    ordered = sorted(options)
    d = {a: {b: 0 for b in ordered if b != a} for a in ordered}
    for ranking, weight in aggregate_rankings(options, profile):
        unranked = [o for o in ordered if o not in set(ranking)]
        for i, a in enumerate(ranking):
            row = d[a]
            for b in ranking[i + 1:]:
                row[b] += weight
            for b in unranked:
                row[b] += weight
    return d


def strongest_paths(d: Mapping[int, Mapping[int, int]]) -> dict[int, dict[int, int]]:
    """Schulze's p[a][b]: strength of the strongest path from a to b (winning votes)."""
    ordered = sorted(d)
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in ordered if b != a} for a in ordered}
    for k in ordered:
        for i in ordered:
            if i == k:
                continue
            p_ik = p[i][k]
            if not p_ik:
                continue
            row_i = p[i]
            for j, p_kj in p[k].items():
                if j != i:
                    strength = p_ik if p_ik < p_kj else p_kj
                    if strength > row_i[j]:
                        row_i[j] = strength
    return p


def schulze_tiers(p: Mapping[int, Mapping[int, int]]) -> list[list[int]]:
    """The Schulze order as tiers, best first; options sharing a tier are tied."""
    remaining = sorted(p)
    tiers: list[list[int]] = []
    while remaining:
        tier = [a for a in remaining if not any(p[b][a] > p[a][b] for b in remaining if b != a)]
        if not tier:  # impossible (the relation is transitive); never loop forever on a bug
            tier = list(remaining)
        tiers.append(tier)
        remaining = [o for o in remaining if o not in tier]
    return tiers


@dataclass(frozen=True)
class SchulzeResult:
    pairwise: dict[int, dict[int, int]]
    paths: dict[int, dict[int, int]]
    tiers: list[list[int]]

    @property
    def order(self) -> list[int]:
        """Best first; inside a tier (a tie) by ascending id, which the tiers make explicit."""
        return [option for tier in self.tiers for option in tier]

    @property
    def winners(self) -> list[int]:
        return list(self.tiers[0]) if self.tiers else []


def schulze(options: Sequence[int], profile: Profile) -> SchulzeResult:
    d = pairwise(options, profile)
    p = strongest_paths(d)
    return SchulzeResult(pairwise=d, paths=p, tiers=schulze_tiers(p))


def condorcet_winner(d: Mapping[int, Mapping[int, int]]) -> int | None:
    """The option preferred to every other by more ballots than the reverse, if any."""
    for a in sorted(d):
        if all(d[a][b] > d[b][a] for b in d[a]):
            return a
    return None


@dataclass
class RunoffRound:
    number: int
    counts: dict[int, int]
    exhausted: int
    eliminated: list[int] = field(default_factory=list)
    #: True when more than one option shared the fewest votes and all of them were eliminated
    tie: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.number, "counts": {str(k): v for k, v in self.counts.items()},
            "exhausted": self.exhausted, "eliminated": list(self.eliminated), "tie": self.tie,
        }


@dataclass
class RunoffResult:
    rounds: list[RunoffRound]
    winners: list[int]

    @property
    def tie(self) -> bool:
        return len(self.winners) > 1

    def to_dict(self) -> dict[str, Any]:
        return {"rounds": [r.to_dict() for r in self.rounds], "winners": list(self.winners), "tie": self.tie}


def instant_runoff(options: Sequence[int], profile: Profile) -> RunoffResult:
    """Instant-runoff rounds (rule in the module docstring): ties eliminated together, reported."""
    ballots = aggregate_rankings(options, profile)
    continuing = sorted(options)
    rounds: list[RunoffRound] = []
    while continuing:
        alive = set(continuing)
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, weight in ballots:
            top = next((o for o in ranking if o in alive), None)
            if top is None:
                exhausted += weight
            else:
                counts[top] += weight
        current = RunoffRound(number=len(rounds) + 1, counts=counts, exhausted=exhausted)
        rounds.append(current)
        total = sum(counts.values())
        leader = max(continuing, key=lambda o: (counts[o], -o))
        if len(continuing) == 1 or 2 * counts[leader] > total:
            return RunoffResult(rounds, [leader])
        fewest = min(counts.values())
        lowest = [o for o in continuing if counts[o] == fewest]
        if len(lowest) == len(continuing):
            return RunoffResult(rounds, list(continuing))
        current.eliminated = lowest
        current.tie = len(lowest) > 1
        continuing = [o for o in continuing if o not in lowest]
    return RunoffResult(rounds, [])


def top_options(scores: Mapping[Any, int]) -> list[Any]:
    """Every key with the highest score (several = a tie), in ascending order."""
    if not scores:
        return []
    best = max(scores.values())
    return sorted(k for k, v in scores.items() if v == best)


def percentages(counts: Mapping[Any, int], base: int) -> dict[Any, float]:
    """Share of `base` in percent, two decimals; 0 when nothing was cast."""
    return {k: (round(100.0 * v / base, 2) if base else 0.0) for k, v in counts.items()}


@dataclass(frozen=True)
class Outcome:
    """Whether a yes/no motion passed, and why (the threshold the yes had to meet)."""

    quorum_reached: bool
    passed: bool
    #: quorum_not_reached | majority_reached | majority_not_reached
    reason: str
    #: least yes weight that would have passed (given the other ballots), for the explanation
    required_yes: int


def yesno_outcome(
    counts: Mapping[str, int], *, majority: str, quorum: int | None, ballots_cast: int, entitled_weight: int,
) -> Outcome:
    """Apply interface.md's rules. Weights count for majorities; the quorum counts ballots.

    simple: more yes than no. absolute: yes from more than half of the entitled (weight).
    two_thirds: yes from at least two thirds of the ballots cast, abstentions included (weight).
    quorum: the least number of ballots cast for the result to be valid.
    """
    if majority not in MAJORITIES:
        raise ValueError(f"unknown majority {majority!r}")
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    cast = yes + no + counts.get("abstain", 0)
    if majority == "simple":
        required = no + 1
    elif majority == "absolute":
        required = entitled_weight // 2 + 1
    else:
        required = max(1, -(-2 * cast // 3))  # ceil(2/3 of cast); nothing cast passes nothing
    quorum_reached = quorum is None or ballots_cast >= quorum
    majority_met = yes >= required
    if not quorum_reached:
        return Outcome(False, False, "quorum_not_reached", required)
    return Outcome(True, majority_met, "majority_reached" if majority_met else "majority_not_reached", required)
