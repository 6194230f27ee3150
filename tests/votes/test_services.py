"""Vote services: rules and refusals (refusals record nothing), results, audit, schedule, hooks."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import verify_chain
from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, Forbidden, InvalidInput, Unauthorized
from app.extensions import db
from app.organizations.services import withdraw
from app.votes import hooks
from app.votes.models import Ballot, Poll, PollVoter, VoteRecord
from app.votes.services import (
    ballots_digest, cast_ballot, check_receipt, close_poll, compute_result, create_poll, create_proxy, open_poll,
    poll_dict, publish_correction, revoke_proxy, tick, update_poll,
)
from tests.votes.factories import audit_actions, audit_entries, make_meeting, make_person, make_poll, make_table


@pytest.fixture
def chair(session):
    return make_person(session, "chair")


@pytest.fixture
def table(session):
    return make_table(session, 5, substitutes=True)


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def _refused(session, exc_type, code, fn, *args, **kw):
    """The call is refused with this error, and nothing about ballots was written."""
    before = (_count(session, Ballot), _count(session, VoteRecord), _count(session, AuditEntry))
    with pytest.raises(exc_type) as info:
        fn(*args, **kw)
    session.rollback()
    assert info.value.code == code
    assert (_count(session, Ballot), _count(session, VoteRecord), _count(session, AuditEntry)) == before
    return info.value


# --- creation and validation ---------------------------------------------------------------------

def test_create_poll_audited_as_draft(session, chair):
    poll = make_poll(session, chair, kind="choice", options=["  Sabato  mattina ", "Martedì sera"], max_choices=2)
    assert poll.state == "draft" and [o.label for o in poll.options] == ["Sabato mattina", "Martedì sera"]
    entry = audit_entries(session, "votes.poll.created")[0]
    assert entry.actor_id == chair.id and entry.object == f"poll:{poll.id}"
    assert entry.data["options"] == ["Sabato mattina", "Martedì sera"] and entry.data["max_choices"] == 2


@pytest.mark.parametrize("kw,code", [
    ({"kind": "choice", "options": None}, "options_required"),
    ({"kind": "ranking", "options": ["Solo una"]}, "options_count"),
    ({"kind": "ranking", "options": [f"Opzione {i}" for i in range(51)]}, "options_count"),
    ({"kind": "choice", "options": ["Alfa", "alfa "]}, "duplicate_option"),
    ({"kind": "choice", "options": ["Alfa", ""]}, "option_label"),
    ({"kind": "choice", "options": ["Alfa", "x" * 201]}, "option_label"),
    ({"kind": "yesno", "options": ["Alfa", "Beta"]}, "options_not_allowed"),
    ({"kind": "choice", "options": ["A", "B"], "max_choices": 3}, "max_choices_range"),
    ({"kind": "choice", "options": ["A", "B"], "max_choices": 0}, "max_choices_range"),
    ({"kind": "ranking", "options": ["A", "B"], "max_choices": 1}, "max_choices_not_allowed"),
    ({"kind": "yesno", "quorum": -1}, "quorum_range"),
    ({"kind": "yesno", "quorum": 100_001}, "quorum_range"),
    ({"kind": "yesno", "majority": "unanimity"}, "unknown_majority"),
    ({"kind": "poll"}, "unknown_kind"),
    ({"kind": "yesno", "electorate": "everyone"}, "unknown_electorate"),
    ({"kind": "yesno", "weighted": True, "electorate": "people"}, "weighted_people"),
    ({"kind": "yesno", "weighted": True, "secret": True}, "secret_weighted"),
    ({"kind": "yesno", "meeting_id": 999}, "meeting_not_found"),
    ({"kind": "yesno", "subject": {"type": "nothing", "id": 1}}, "unknown_subject_type"),
    ({"kind": "yesno", "title": "   "}, "invalid_title"),
    ({"kind": "yesno", "opens_at": dt.datetime(2026, 1, 1)}, "invalid_datetime"),
    ({"kind": "yesno", "opens_at": dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc),
      "closes_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}, "closes_before_opens"),
])
def test_create_poll_refuses_bad_input(session, chair, kw, code):
    kw = {"title": "Titolo", **kw}
    _refused(session, InvalidInput, code, create_poll, session, chair, **kw)
    assert _count(session, Poll) == 0


def test_only_the_chair_creates_polls(session, table):
    member = table[0][1]
    _refused(session, Forbidden, "forbidden", create_poll, session, member, title="T", kind="yesno")
    _refused(session, Unauthorized, "unauthorized", create_poll, session, None, title="T", kind="yesno")


def test_update_only_in_draft(session, chair, table):
    poll = make_poll(session, chair, kind="choice", options=["A", "B"])
    update_poll(session, chair, poll, title="Nuovo titolo", options=["A", "B", "C"], max_choices=2)
    session.commit()
    assert [o.label for o in poll.options] == ["A", "B", "C"] and poll.max_choices == 2
    assert audit_entries(session, "votes.poll.updated")[0].data["options"] == ["A", "B", "C"]
    update_poll(session, chair, poll, kind="yesno")
    session.commit()
    assert poll.kind == "yesno" and poll.options == [] and poll.max_choices is None
    open_poll(session, chair, poll)
    session.commit()
    _refused(session, Conflict, "poll_not_draft", update_poll, session, chair, poll, title="Altro")


# --- open / close --------------------------------------------------------------------------------

def test_open_freezes_the_roll_of_adhering_organizations(session, chair, table):
    leaving = table[4][0]
    withdraw(session, make_person(session, "admin"), leaving, "")
    session.commit()
    poll = make_poll(session, chair, open_it=True)
    roll = session.execute(sa.select(PollVoter.voter_key, PollVoter.weight).where(PollVoter.poll_id == poll.id)).all()
    assert sorted(roll) == sorted((f"organization:{org.id}", 1) for org, _u in table[:4])
    assert (poll.entitled_count, poll.entitled_weight) == (4, 4)
    # joining after the opening does not change the frozen roll
    newcomer = make_table(session, 1)[0]
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, newcomer[1], poll, {"choice": "yes"})
    entry = audit_entries(session, "votes.poll.opened")[0]
    assert entry.data["entitled"] == 4 and len(entry.data["roll_sha256"]) == 64


def test_open_and_close_are_idempotent_and_audited_once(session, chair, table):
    poll = make_poll(session, chair)
    open_poll(session, chair, poll)
    session.commit()
    opened_at = poll.opened_at
    assert open_poll(session, chair, poll).opened_at == opened_at
    session.commit()
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()
    close_poll(session, chair, poll)
    session.commit()
    result = dict(poll.result)
    assert close_poll(session, chair, poll).result == result
    session.commit()
    actions = audit_actions(session)
    assert actions.count("votes.poll.opened") == 1 and actions.count("votes.poll.closed") == 1
    assert actions.count("votes.result.published") == 1
    _refused(session, Conflict, "poll_closed", open_poll, session, chair, poll)
    assert verify_chain(session).ok


def test_closing_a_draft_and_opening_without_voters_are_refused(session, chair):
    poll = make_poll(session, chair)
    _refused(session, Conflict, "poll_not_open", close_poll, session, chair, poll)
    _refused(session, Conflict, "empty_electorate", open_poll, session, chair, poll)  # nobody adheres yet
    assert db.session.get(Poll, poll.id).state == "draft"


def test_only_the_chair_opens_and_closes(session, chair, table):
    poll = make_poll(session, chair)
    _refused(session, Forbidden, "forbidden", open_poll, session, table[0][1], poll)
    open_poll(session, chair, poll)
    session.commit()
    _refused(session, Forbidden, "forbidden", close_poll, session, table[0][1], poll)


# --- ballots -------------------------------------------------------------------------------------

def test_cast_ballot_named_records_voter_and_content(session, chair, table):
    poll = make_poll(session, chair, open_it=True)
    org, delegate = table[0]
    receipt = cast_ballot(session, delegate, poll, {"choice": "no"})
    session.commit()
    record = session.scalar(sa.select(VoteRecord).where(VoteRecord.poll_id == poll.id))
    assert record.voter_key == f"organization:{org.id}" and record.cast_by_id == delegate.id
    ballot = session.get(Ballot, record.ballot_id)
    assert ballot.content == "no" and ballot.receipt_hash != receipt and len(ballot.id) == 32
    entry = audit_entries(session, "votes.ballot.cast")[0]
    assert entry.actor_id == delegate.id
    assert entry.data == {"poll_id": poll.id, "voter": f"organization:{org.id}", "ballot": {"choice": "no"}, "weight": 1}
    assert check_receipt(session, poll, receipt) == {
        "poll_id": poll.id, "state": "open", "recorded": True, "counted": False, "ballot": {"choice": "no"}}


def test_secret_ballot_audit_and_receipt_say_nothing_of_the_content(session, chair, table):
    poll = make_poll(session, chair, secret=True, open_it=True)
    receipt = cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()
    entry = audit_entries(session, "votes.ballot.cast")[0]
    assert entry.data == {"poll_id": poll.id, "voter": f"organization:{table[0][0].id}"}
    assert "yes" not in str(entry.data) and receipt.replace("-", "") not in str(entry.data)
    assert session.scalar(sa.select(VoteRecord.ballot_id)) is None
    checked = check_receipt(session, poll, receipt.lower().replace("-", " "))  # retyped by hand
    assert checked["recorded"] and "ballot" not in checked
    close_poll(session, chair, poll)
    session.commit()
    assert check_receipt(session, poll, receipt)["counted"] is True
    with pytest.raises(DomainError) as info:
        check_receipt(session, poll, "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert info.value.code == "receipt_not_found"


def test_one_ballot_per_organization_whoever_casts_it(session, chair):
    table = make_table(session, 2, substitutes=True)
    org = table[0][0]
    substitute = next(u for u in org.representatives if u.member_kind == "substitute")
    poll = make_poll(session, chair, open_it=True)
    cast_ballot(session, substitute, poll, {"choice": "abstain"})
    session.commit()
    _refused(session, Conflict, "already_voted", cast_ballot, session, table[0][1], poll, {"choice": "yes"})


def test_the_database_refuses_a_second_ballot_even_past_the_check(session, chair, table, past_the_early_check):
    """With the application check out of the way, UNIQUE(poll_id, voter_key) still decides: 409."""
    poll = make_poll(session, chair, open_it=True)
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()
    _refused(session, Conflict, "already_voted", cast_ballot, session, table[0][1], poll, {"choice": "no"})
    assert _count(session, Ballot) == 1


@pytest.mark.parametrize("kind,ballot,code", [
    ("yesno", {"choice": "maybe"}, "invalid_choice"),
    ("yesno", {"choice": True}, "invalid_choice"),
    ("yesno", {}, "invalid_ballot"),
    ("yesno", {"choice": "yes", "ranking": [1]}, "invalid_ballot"),
    ("choice", {"choice": "yes"}, "invalid_ballot"),
    ("choice", {"choices": []}, "empty_ballot"),
    ("choice", {"choices": "OPT0"}, "invalid_ballot"),
    ("choice", {"choices": ["OPT0", "OPT1"]}, "too_many_choices"),
    ("choice", {"choices": ["OPT0", "OPT0"]}, "duplicate_option"),
    ("choice", {"choice": "OTHER"}, "unknown_option"),
    ("ranking", {"ranking": ["OPT0", "OPT1", "OPT0"]}, "duplicate_option"),
    ("ranking", {"ranking": ["OPT0", "OTHER"]}, "unknown_option"),
    ("ranking", {"ranking": []}, "empty_ballot"),
    ("ranking", {"ranking": [True]}, "invalid_ballot"),
    ("ranking", {"choice": "OPT0"}, "invalid_ballot"),
])
def test_malformed_ballots_are_refused(session, chair, table, kind, ballot, code):
    poll = make_poll(session, chair, kind=kind, open_it=True)
    other = make_poll(session, chair, kind="choice", options=["Altro", "Ancora"], open_it=True)

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str) and value.startswith("OPT"):
            return poll.options[int(value[3:])].id
        return other.options[0].id if value == "OTHER" else value

    _refused(session, InvalidInput, code, cast_ballot, session, table[0][1], poll, {k: resolve(v) for k, v in ballot.items()})


def test_ballots_refused_when_not_open_or_not_entitled(session, chair, table):
    poll = make_poll(session, chair)
    _refused(session, Conflict, "poll_not_open", cast_ballot, session, table[0][1], poll, {"choice": "yes"})
    open_poll(session, chair, poll)
    session.commit()
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, chair, poll, {"choice": "yes"})
    observer = make_person(session, "observer")
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, observer, poll, {"choice": "yes"})
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, table[0][1], poll,
             {"choice": "yes", "on_behalf_of": table[1][0].id})  # another organization, no proxy
    _refused(session, Unauthorized, "unauthorized", cast_ballot, session, None, poll, {"choice": "yes"})
    close_poll(session, chair, poll)
    session.commit()
    _refused(session, Conflict, "poll_not_open", cast_ballot, session, table[0][1], poll, {"choice": "yes"})


def test_choice_and_ranking_ballots(session, chair, table):
    choice = make_poll(session, chair, kind="choice", options=["A", "B", "C"], max_choices=2, open_it=True)
    a, b, c = choice.option_ids
    cast_ballot(session, table[0][1], choice, {"choices": [c, a]})
    cast_ballot(session, table[1][1], choice, {"choice": a})
    ranking = make_poll(session, chair, kind="ranking", options=["X", "Y", "Z"], open_it=True)
    x, y, z = ranking.option_ids
    cast_ballot(session, table[0][1], ranking, {"ranking": [z, x, y]})
    cast_ballot(session, table[1][1], ranking, {"ranking": [y]})  # partial
    cast_ballot(session, table[2][1], ranking, {"ranking": [z, y]})
    session.commit()
    close_poll(session, chair, choice)
    close_poll(session, chair, ranking)
    session.commit()
    assert choice.result["counts"] == {str(a): 2, str(b): 0, str(c): 1}
    assert choice.result["winners"] == [a] and choice.result["percentages"][str(a)] == 100.0
    r = ranking.result
    assert r["counts"] == {str(x): 0, str(y): 1, str(z): 2}
    assert r["borda"] == {str(x): 1, str(y): 2 + 1, str(z): 2 + 2}
    assert r["schulze"] == [z, y, x] and r["schulze_tiers"] == [[z], [y], [x]]
    assert r["pairwise"][str(z)][str(x)] == 2 and r["pairwise"][str(x)][str(z)] == 0
    assert r["irv"]["winners"] == [z] and r["condorcet_winner"] == z


# --- majority, quorum, weights -------------------------------------------------------------------

def _vote_and_close(session, chair, table, choices, **kw):
    poll = make_poll(session, chair, open_it=True, **kw)
    for (_org, delegate), choice in zip(table, choices):
        cast_ballot(session, delegate, poll, {"choice": choice})
    session.commit()
    close_poll(session, chair, poll)
    session.commit()
    return poll.result


@pytest.mark.parametrize("majority,choices,quorum,passed,reason", [
    ("simple", ["yes", "yes", "no", "abstain", "abstain", "abstain"], None, True, "majority_reached"),
    ("simple", ["yes", "no"], None, False, "majority_not_reached"),
    ("absolute", ["yes"] * 5 + ["no"], None, False, "majority_not_reached"),  # 5 of 10 is not more than half
    ("absolute", ["yes"] * 6, None, True, "majority_reached"),
    ("two_thirds", ["yes"] * 6 + ["no", "no", "abstain"], None, True, "majority_reached"),  # 6 of 9
    ("two_thirds", ["yes"] * 5 + ["no", "abstain", "abstain"], None, False, "majority_not_reached"),  # 5 of 8
    ("simple", ["yes"] * 4, 5, False, "quorum_not_reached"),
    ("simple", ["yes"] * 4 + ["no"], 5, True, "majority_reached"),
])
def test_majority_and_quorum_on_hand_computed_cases(session, chair, majority, choices, quorum, passed, reason):
    table = make_table(session, 10)
    result = _vote_and_close(session, chair, table, choices, majority=majority, quorum=quorum)
    assert (result["passed"], result["reason"]) == (passed, reason)
    assert result["quorum_reached"] == (reason != "quorum_not_reached")
    assert result["voted"] == len(choices) and result["entitled"] == 10 and result["base"] == "cast"


def test_weighted_poll_counts_weights(session, chair):
    table = make_table(session, 3, weights=[5, 1, 2])
    result = _vote_and_close(session, chair, table, ["yes", "no", "no"], weighted=True, majority="absolute")
    assert result["counts"] == {"yes": 5, "no": 3, "abstain": 0}
    assert (result["cast_weight"], result["entitled_weight"], result["voted"]) == (8, 8, 3)
    assert result["passed"] is True and result["required_yes"] == 5  # more than half of 8
    assert result["percentages"] == {"yes": 62.5, "no": 37.5, "abstain": 0.0}


def test_result_is_stored_and_identical_when_recomputed(app, session, chair, table):
    poll = make_poll(session, chair, kind="ranking", options=["A", "B", "C", "D"], open_it=True)
    ids = poll.option_ids
    for i, (_org, delegate) in enumerate(table):
        cast_ballot(session, delegate, poll, {"ranking": ids[i % 4:] + ids[:i % 4]})
    session.commit()
    close_poll(session, chair, poll)
    session.commit()
    stored = poll.result
    db.session.remove()
    with app.app_context():
        fresh = db.session.get(Poll, poll.id)
        assert fresh.result == stored
        assert compute_result(db.session, fresh) == stored
        db.session.remove()


def test_closing_costs_a_constant_number_of_queries(session, chair):
    table = make_table(session, 24)

    def queries_to_close(voters):
        poll = make_poll(session, chair, kind="ranking", options=["A", "B", "C"], open_it=True)
        for i, (_org, delegate) in enumerate(voters):
            cast_ballot(session, delegate, poll, {"ranking": [poll.option_ids[i % 3]]})
        session.commit()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            close_poll(session, chair, poll)
            session.commit()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries_to_close(table[:3]) == queries_to_close(table)


def test_close_commits_the_ballot_set_to_the_audit_chain(session, chair, table):
    poll = make_poll(session, chair, secret=True, open_it=True)
    for _org, delegate in table[:3]:
        cast_ballot(session, delegate, poll, {"choice": "yes"})
    session.commit()
    digest = ballots_digest(session, poll.id)
    close_poll(session, chair, poll)
    session.commit()
    closed = audit_entries(session, "votes.poll.closed")[0]
    assert closed.data == {"voted": 3, "entitled": 5, "ballots_sha256": digest}
    published = audit_entries(session, "votes.result.published")[0]
    assert published.data["result"] == poll.result
    # altering a stored ballot behind the application's back changes the digest
    session.execute(sa.update(Ballot).where(Ballot.poll_id == poll.id).values(content="no"))
    session.commit()
    assert ballots_digest(session, poll.id) != digest


def test_corrections_are_published_beside_a_closed_poll(session, chair, table):
    poll = make_poll(session, chair, open_it=True)
    _refused(session, Conflict, "poll_not_closed", publish_correction, session, chair, poll, "Refuso")
    close_poll(session, chair, poll)
    session.commit()
    result = dict(poll.result)
    notice = publish_correction(session, chair, poll, "Il verbale riporta 4 astenuti, non 3.")
    session.commit()
    assert poll_dict(session, poll)["corrections"][0]["text"] == notice.text
    assert poll.result == result and poll.state == "closed"
    assert audit_entries(session, "votes.correction.published")[0].data["poll_id"] == poll.id
    _refused(session, Forbidden, "forbidden", publish_correction, session, table[0][1], poll, "No")
    _refused(session, InvalidInput, "invalid_text", publish_correction, session, chair, poll, "  ")


# --- proxies -------------------------------------------------------------------------------------

def test_proxy_lets_the_delegate_vote_for_the_principal_and_blocks_the_principal(session, chair, table):
    meeting = make_meeting(session)
    (principal, principal_user), (delegate, delegate_user) = table[0], table[1]
    proxy = create_proxy(session, chair, meeting, principal_id=principal.id, delegate_id=delegate.id)
    session.commit()
    poll = make_poll(session, chair, meeting_id=meeting.id, open_it=True)
    _refused(session, Forbidden, "vote_delegated", cast_ballot, session, principal_user, poll, {"choice": "yes"})
    outsider = table[2][1]
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, outsider, poll,
             {"choice": "yes", "on_behalf_of": principal.id})
    cast_ballot(session, delegate_user, poll, {"choice": "no", "on_behalf_of": principal.id})
    cast_ballot(session, delegate_user, poll, {"choice": "yes"})
    session.commit()
    records = session.execute(sa.select(VoteRecord.voter_key, VoteRecord.cast_by_id, VoteRecord.proxy_id)).all()
    assert sorted(records) == sorted([(f"organization:{principal.id}", delegate_user.id, proxy.id),
                                      (f"organization:{delegate.id}", delegate_user.id, None)])
    _refused(session, Conflict, "already_voted", cast_ballot, session, delegate_user, poll,
             {"choice": "no", "on_behalf_of": principal.id})
    state = poll_dict(session, poll, delegate_user)["viewer"]
    assert state["on_behalf_of"] == [{"organization_id": principal.id, "has_voted": True}]
    # revoked: the principal votes again by itself in the next poll
    revoke_proxy(session, chair, meeting, principal_id=principal.id)
    session.commit()
    second = make_poll(session, chair, meeting_id=meeting.id, open_it=True)
    cast_ballot(session, principal_user, second, {"choice": "yes"})
    session.commit()
    assert audit_actions(session, "votes.proxy.") == ["votes.proxy.created", "votes.proxy.revoked"]


def test_proxy_rules(session, chair, table):
    meeting = make_meeting(session)
    a, b, c = (org for org, _u in table[:3])
    _refused(session, Forbidden, "forbidden", create_proxy, session, table[0][1], meeting, principal_id=a.id, delegate_id=b.id)
    _refused(session, InvalidInput, "self_proxy", create_proxy, session, chair, meeting, principal_id=a.id, delegate_id=a.id)
    _refused(session, InvalidInput, "organization_not_found", create_proxy, session, chair, meeting, principal_id=999, delegate_id=a.id)
    create_proxy(session, chair, meeting, principal_id=a.id, delegate_id=b.id)
    session.commit()
    _refused(session, Conflict, "proxy_exists", create_proxy, session, chair, meeting, principal_id=a.id, delegate_id=c.id)
    _refused(session, Conflict, "proxy_chain", create_proxy, session, chair, meeting, principal_id=b.id, delegate_id=c.id)
    _refused(session, Conflict, "proxy_chain", create_proxy, session, chair, meeting, principal_id=c.id, delegate_id=a.id)
    _refused(session, DomainError, "proxy_not_found", revoke_proxy, session, chair, meeting, principal_id=c.id)
    # a proxy holds for its meeting only
    other = make_meeting(session, "Altro incontro")
    poll = make_poll(session, chair, meeting_id=other.id, open_it=True)
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()


# --- people electorate and hooks -----------------------------------------------------------------

def test_people_electorate_default_and_registered_resolver(session, chair, table):
    poll = make_poll(session, chair, electorate="people", open_it=True)
    members = {u.id for org, _d in table for u in org.representatives}
    roll = set(session.scalars(sa.select(PollVoter.user_id).where(PollVoter.poll_id == poll.id)))
    assert roll == members and poll.entitled_count == len(members)
    substitute = next(u for u in table[0][0].representatives if u.member_kind == "substitute")
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    cast_ballot(session, substitute, poll, {"choice": "no"})  # per person: same organization, two ballots
    session.commit()
    _refused(session, InvalidInput, "proxy_not_allowed", cast_ballot, session, table[1][1], poll,
             {"choice": "yes", "on_behalf_of": table[0][0].id})

    participant = make_person(session, "participant")
    chosen = {participant.id, table[2][1].id}

    def town_meeting(session_, poll_):
        return sorted(chosen) if poll_.title.startswith("Town meeting") else None

    hooks.register_people_electorate(town_meeting)
    try:
        town = make_poll(session, chair, title="Town meeting: la priorità", electorate="people", open_it=True)
        other = make_poll(session, chair, title="Un'altra votazione", electorate="people", open_it=True)
    finally:
        hooks.unregister_people_electorate(town_meeting)
    assert set(session.scalars(sa.select(PollVoter.user_id).where(PollVoter.poll_id == town.id))) == chosen
    assert other.entitled_count == len(members)
    cast_ballot(session, participant, town, {"choice": "yes"})
    session.commit()
    _refused(session, Forbidden, "not_entitled", cast_ballot, session, table[0][1], town, {"choice": "yes"})


def test_subject_handler_is_called_at_close_and_audited(session, chair, table):
    calls = []

    def handler(session_, actor, subject_id, passed):
        calls.append((getattr(actor, "id", None), subject_id, passed))

    hooks.register_subject_handler("dummy", handler)
    try:
        poll = make_poll(session, chair, subject={"type": "dummy", "id": 42}, open_it=True)
        for _org, delegate in table[:3]:
            cast_ballot(session, delegate, poll, {"choice": "yes"})
        session.commit()
        close_poll(session, chair, poll)
        session.commit()
        assert calls == [(chair.id, 42, True)]
        assert audit_entries(session, "votes.poll.consequence")[0].data == {"subject": "dummy:42", "passed": True}
        # quorum not reached: no valid outcome, the handler is not called
        invalid = make_poll(session, chair, subject={"type": "dummy", "id": 43}, quorum=3, open_it=True)
        close_poll(session, chair, invalid)
        session.commit()
        assert len(calls) == 1
    finally:
        hooks.unregister_subject_handler("dummy")


def test_a_failing_subject_handler_does_not_block_the_close(session, chair, table):
    def handler(session_, actor, subject_id, passed):
        raise Conflict("Già deciso.", code="already_decided")

    hooks.register_subject_handler("dummy", handler)
    try:
        poll = make_poll(session, chair, subject={"type": "dummy", "id": 1}, open_it=True)
        cast_ballot(session, table[0][1], poll, {"choice": "no"})
        session.commit()
        close_poll(session, chair, poll)
        session.commit()
    finally:
        hooks.unregister_subject_handler("dummy")
    assert poll.state == "closed" and poll.result["passed"] is False
    failed = audit_entries(session, "votes.poll.consequence_failed")[0]
    assert failed.data == {"subject": "dummy:1", "passed": False, "reason": "already_decided"}
    assert verify_chain(session).ok


# --- schedule ------------------------------------------------------------------------------------

def test_tick_opens_and_closes_scheduled_polls_idempotently(app, session, chair, table):
    now = utcnow()
    due_open = make_poll(session, chair, title="Da aprire", opens_at=now - dt.timedelta(minutes=1))
    later = make_poll(session, chair, title="Più tardi", opens_at=now + dt.timedelta(hours=1))
    both = make_poll(session, chair, title="Aperta e chiusa", opens_at=now - dt.timedelta(hours=2),
                     closes_at=now - dt.timedelta(hours=1))
    changed = tick(session, now)
    session.commit()
    assert {p.id for p in changed} == {due_open.id, both.id}
    assert (due_open.state, later.state, both.state) == ("open", "draft", "closed")
    assert tick(session, now) == []
    actions = audit_actions(session)
    assert actions.count("votes.poll.opened") == 2 and actions.count("votes.poll.closed") == 1
    entry = audit_entries(session, "votes.poll.opened")[0]
    assert entry.actor_id is None  # the scheduler acts as the system

    out = app.test_cli_runner().invoke(args=["polls", "tick"])
    assert out.exit_code == 0 and "0 poll(s) changed" in out.output


def test_reading_a_poll_applies_its_schedule_lazily(client, session, chair, table):
    poll = make_poll(session, chair, opens_at=utcnow() - dt.timedelta(seconds=1))
    body = client.get(f"/api/v1/polls/{poll.id}").get_json()
    assert body["state"] == "open" and body["entitled"] == 5
    db.session.remove()
    assert db.session.get(Poll, poll.id).state == "open"


def test_tick_leaves_a_poll_without_voters_in_draft(session, chair):
    poll = make_poll(session, chair, opens_at=utcnow() - dt.timedelta(minutes=1))
    assert tick(session) == []
    session.commit()
    assert poll.state == "draft" and "votes.poll.opened" not in audit_actions(session)
