"""Tally algorithms: worked examples, properties (hypothesis) and the pref_voting reference."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.iterative_methods import instant_runoff as pv_instant_runoff
from pref_voting.margin_based_methods import beat_path as pv_beat_path
from pref_voting.margin_based_methods import beat_path_defeat as pv_beat_path_defeat
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import domination_borda_scores

from app.votes import methods
from app.votes.results import build_result

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies ----------------------------------------------------------------------------------

@st.composite
def profiles(draw, min_options=2, max_options=6, full=False, max_ballots=25, weighted=True):
    n = draw(st.integers(min_options, max_options))
    # option ids need not be 0..n-1: they are database ids
    options = sorted(draw(st.sets(st.integers(1, 500), min_size=n, max_size=n)))
    count = draw(st.integers(0 if not full else 1, max_ballots))
    profile = []
    for _ in range(count):
        order = draw(st.permutations(options))
        length = n if full else draw(st.integers(1, n))
        weight = draw(st.integers(1, 4)) if weighted else 1
        profile.append((list(order[:length]), weight))
    return options, profile


def _pv_truncated(options, profile) -> ProfileWithTies:
    rankings = [{c: i + 1 for i, c in enumerate(r)} for r, _w in profile]
    reference = ProfileWithTies(rankings, rcounts=[w for _r, w in profile], candidates=options)
    reference.use_extended_strict_preference()  # a ranked option is above every unranked one
    return reference


# --- worked examples -----------------------------------------------------------------------------

WIKIPEDIA = [("ACBED", 5), ("ADECB", 5), ("BEDAC", 8), ("CABED", 3), ("CAEBD", 7), ("CBADE", 2), ("DCEBA", 7), ("EBADC", 8)]


def _letters(profile):
    ids = {letter: i for i, letter in enumerate("ABCDE", start=1)}
    return [1, 2, 3, 4, 5], [([ids[c] for c in ranking], w) for ranking, w in profile], {v: k for k, v in ids.items()}


def test_schulze_wikipedia_example():
    """en.wikipedia.org/wiki/Schulze_method: 45 voters, 5 candidates → E > A > C > B > D."""
    options, profile, name = _letters(WIKIPEDIA)
    assert sum(w for _r, w in profile) == 45
    result = methods.schulze(options, profile)
    assert [name[o] for o in result.order] == list("EACBD")
    assert all(len(tier) == 1 for tier in result.tiers)
    # the published pairwise preferences d[*,*] and strongest paths p[*,*]
    A, B, C, D, E = options
    assert [result.pairwise[A][x] for x in (B, C, D, E)] == [20, 26, 30, 22]
    assert [result.pairwise[E][x] for x in (A, B, C, D)] == [23, 27, 21, 31]
    assert [result.pairwise[D][x] for x in (A, B, C, E)] == [15, 12, 28, 14]
    assert [result.paths[A][x] for x in (B, C, D, E)] == [28, 28, 30, 24]
    assert [result.paths[E][x] for x in (A, B, C, D)] == [25, 28, 28, 31]
    assert [result.paths[C][x] for x in (A, B, D, E)] == [25, 29, 29, 24]
    assert methods.condorcet_winner(result.pairwise) is None


def test_borda_convention_full_and_partial():
    # 4 options: a full ranking gives 3,2,1,0; a partial one gives the same to what it ranks, 0 to the rest
    assert methods.borda([1, 2, 3, 4], [([2, 1, 3, 4], 1)]) == {1: 2, 2: 3, 3: 1, 4: 0}
    assert methods.borda([1, 2, 3, 4], [([4, 3], 2)]) == {1: 0, 2: 0, 3: 4, 4: 6}


def test_pairwise_partial_rankings_prefer_ranked_to_unranked():
    d = methods.pairwise([1, 2, 3], [([3], 1)])
    assert d[3] == {1: 1, 2: 1}
    assert d[1][2] == d[2][1] == 0  # two unranked options are not compared


def test_schulze_reports_ties_as_tiers():
    # a perfect three-way cycle: nobody beats anybody in Schulze's sense
    profile = [([1, 2, 3], 1), ([2, 3, 1], 1), ([3, 1, 2], 1)]
    assert methods.schulze([1, 2, 3], profile).tiers == [[1, 2, 3]]
    assert methods.schulze([1, 2, 3], []).tiers == [[1, 2, 3]]


def test_instant_runoff_eliminates_ties_together_and_reports_them():
    # first preferences 1:3, 2:2, 3:2 -> 2 and 3 tie at the bottom and both go; 1 wins
    profile = [([1], 3), ([2, 3], 2), ([3, 2], 2)]
    result = methods.instant_runoff([1, 2, 3], profile)
    assert result.rounds[0].eliminated == [2, 3] and result.rounds[0].tie
    assert result.winners == [1]
    assert result.rounds[-1].exhausted == 4
    # everybody tied: tied winners, never a silent pick
    tied = methods.instant_runoff([1, 2], [([1], 1), ([2], 1)])
    assert tied.winners == [1, 2] and tied.tie


def test_instant_runoff_transfers_votes():
    # 1 leads but has no majority; 3 is eliminated and its ballots go to 2, which wins
    profile = [([1, 2], 4), ([2, 1], 3), ([3, 2], 2)]
    result = methods.instant_runoff([1, 2, 3], profile)
    assert [r.eliminated for r in result.rounds] == [[3], []]
    assert result.rounds[1].counts == {1: 4, 2: 5}
    assert result.winners == [2]


@pytest.mark.parametrize("majority,counts,entitled,passed,required", [
    ("simple", {"yes": 3, "no": 2, "abstain": 5}, 10, True, 3),
    ("simple", {"yes": 2, "no": 2, "abstain": 0}, 10, False, 3),
    ("simple", {"yes": 0, "no": 0, "abstain": 4}, 10, False, 1),
    ("absolute", {"yes": 6, "no": 0, "abstain": 0}, 10, True, 6),
    ("absolute", {"yes": 5, "no": 0, "abstain": 0}, 10, False, 6),
    ("absolute", {"yes": 5, "no": 0, "abstain": 0}, 9, True, 5),
    ("two_thirds", {"yes": 6, "no": 3, "abstain": 0}, 20, True, 6),
    ("two_thirds", {"yes": 6, "no": 2, "abstain": 1}, 20, True, 6),
    ("two_thirds", {"yes": 5, "no": 1, "abstain": 3}, 20, False, 6),
    ("two_thirds", {"yes": 7, "no": 3, "abstain": 0}, 20, True, 7),
    ("two_thirds", {"yes": 0, "no": 0, "abstain": 0}, 20, False, 1),
])
def test_majority_rules_hand_computed(majority, counts, entitled, passed, required):
    outcome = methods.yesno_outcome(counts, majority=majority, quorum=None, ballots_cast=sum(counts.values()),
                                    entitled_weight=entitled)
    assert (outcome.passed, outcome.required_yes) == (passed, required)
    assert outcome.reason == ("majority_reached" if passed else "majority_not_reached")


def test_quorum_invalidates_whatever_the_majority():
    counts = {"yes": 4, "no": 0, "abstain": 0}
    short = methods.yesno_outcome(counts, majority="simple", quorum=5, ballots_cast=4, entitled_weight=10)
    assert (short.quorum_reached, short.passed, short.reason) == (False, False, "quorum_not_reached")
    met = methods.yesno_outcome(counts, majority="simple", quorum=4, ballots_cast=4, entitled_weight=10)
    assert (met.quorum_reached, met.passed) == (True, True)


def test_invalid_profiles_are_refused():
    with pytest.raises(ValueError):
        methods.borda([1, 2], [([1, 1], 1)])
    with pytest.raises(ValueError):
        methods.borda([1, 2], [([3], 1)])
    with pytest.raises(ValueError):
        methods.borda([1, 2], [([1], 0)])


# --- properties ----------------------------------------------------------------------------------

@SETTINGS
@given(profiles(), st.randoms(use_true_random=False))
def test_same_ballots_any_order_same_result(data, rnd):
    options, profile = data
    shuffled = list(profile)
    rnd.shuffle(shuffled)
    rows = _rows(profile)
    shuffled_rows = list(rows)
    rnd.shuffle(shuffled_rows)
    assert methods.borda(options, shuffled) == methods.borda(options, profile)
    assert methods.pairwise(options, shuffled) == methods.pairwise(options, profile)
    assert methods.schulze(options, shuffled).tiers == methods.schulze(options, profile).tiers
    assert methods.instant_runoff(options, shuffled).to_dict() == methods.instant_runoff(options, profile).to_dict()
    kw = dict(kind="ranking", option_ids=options, majority="simple", quorum=None, entitled=50, entitled_weight=50, weighted=True)
    assert build_result(rows=shuffled_rows, **kw) == build_result(rows=rows, **kw)


def _rows(profile):
    merged: dict[str, list[int]] = {}
    for ranking, weight in profile:
        key = ",".join(map(str, ranking))
        n, w = merged.get(key, [0, 0])
        merged[key] = [n + 1, w + weight]
    return [(k, n, w) for k, (n, w) in merged.items()]


@SETTINGS
@given(profiles())
def test_condorcet_winner_is_the_schulze_winner(data):
    options, profile = data
    d = methods.pairwise(options, profile)
    winner = methods.condorcet_winner(d)
    if winner is not None:
        assert methods.schulze(options, profile).tiers[0] == [winner]


@SETTINGS
@given(profiles())
def test_schulze_relation_is_a_strict_order_and_tiers_respect_it(data):
    options, profile = data
    result = methods.schulze(options, profile)
    p = result.paths
    beats = {(a, b) for a in options for b in options if a != b and p[a][b] > p[b][a]}
    for a, b in beats:
        assert (b, a) not in beats
        for c in options:
            if (b, c) in beats:
                assert (a, c) in beats  # transitive
    tier_of = {o: i for i, tier in enumerate(result.tiers) for o in tier}
    assert sorted(tier_of) == sorted(options)
    for a, b in beats:
        assert tier_of[a] < tier_of[b]
    for tier in result.tiers:
        assert not any((a, b) in beats for a in tier for b in tier)


@SETTINGS
@given(profiles(full=True))
def test_dropping_the_last_place_changes_no_borda_score(data):
    options, profile = data
    truncated = [(ranking[:-1] or ranking, w) for ranking, w in profile]
    assert methods.borda(options, truncated) == methods.borda(options, profile)


@SETTINGS
@given(profiles())
def test_pairwise_and_irv_invariants(data):
    options, profile = data
    total = sum(w for _r, w in profile)
    d = methods.pairwise(options, profile)
    assert all(d[a][b] + d[b][a] <= total for a in options for b in options if a != b)
    irv = methods.instant_runoff(options, profile)
    assert irv.winners and set(irv.winners) <= set(options)
    for round_ in irv.rounds:
        assert sum(round_.counts.values()) + round_.exhausted == total
    first = methods.first_preferences(options, profile)
    leader = max(first.values()) if first else 0
    if 2 * leader > total:
        assert len(irv.rounds) == 1 and first[irv.winners[0]] == leader


# --- the reference implementation (pref_voting) ---------------------------------------------------

@SETTINGS
@given(profiles())
def test_borda_matches_pref_voting_on_truncated_profiles(data):
    options, profile = data
    if not profile:
        return
    assert methods.borda(options, profile) == domination_borda_scores(_pv_truncated(options, profile))


@SETTINGS
@given(profiles())
def test_schulze_matches_pref_voting_beat_path_winning_votes(data):
    options, profile = data
    if not profile:
        return
    reference = _pv_truncated(options, profile)
    ours = methods.schulze(options, profile)
    assert ours.winners == pv_beat_path(reference, strength_function=reference.support)
    defeats = set(pv_beat_path_defeat(reference, strength_function=reference.support).edges())
    p = ours.paths
    assert defeats == {(a, b) for a in options for b in options if a != b and p[a][b] > p[b][a]}


@SETTINGS
@given(profiles())
def test_instant_runoff_matches_pref_voting(data):
    options, profile = data
    if not profile:
        return
    assert methods.instant_runoff(options, profile).winners == pv_instant_runoff(_pv_truncated(options, profile))


@SETTINGS
@given(profiles(full=True))
def test_complete_rankings_match_pref_voting_with_its_default_margins(data):
    """With complete rankings, winning votes and margins agree: pref_voting's default Beat Path."""
    options, profile = data
    reference = _pv_truncated(options, profile)
    assert methods.schulze(options, profile).winners == pv_beat_path(reference)
    n = len(options)
    assert methods.borda(options, profile) == {  # the textbook n-1 … 0 scores
        o: sum(w * (n - 1 - r.index(o)) for r, w in profile) for o in options}
