"""Crash safety for real: the server process is SIGKILLed in the middle of a burst and restarted on
the same database (a SQLite WAL file, or PostgreSQL when TEST_DATABASE_URL points there).

What is shown, for live ballots (a named and a secret poll of a town meeting), pact signatures and
comments: whatever the server acknowledged is stored, and stored once; no half-written change (a row
without its audit entry or the reverse); the audit chain verifies after the crash; nothing a client
was shown before the crash (a tally, a seq) is undone by it; reconnecting phones resync to the true
state, including whether they themselves voted; and whoever got no answer can simply try again and
ends with exactly one ballot (one signature). Why: an acknowledged vote that a crash silently drops,
or a retry that counts twice, would falsify a decision, and nobody would notice without this test.

The kill is SIGKILL (no handler runs, nothing is flushed), sent after the first k acknowledgements,
so some requests are answered, some in flight and some never sent. The checks hold wherever it lands.
"""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.services import verify_chain
from app.deliberation.models import Comment
from app.pact.models import Pact, Signature
from app.votes.models import Ballot, VoteRecord
from app.votes.services import receipt_hash
from bench.live_vote import http, setup_vote
from tests.ops.crash_support import (
    CallOutcome, CrashableServer, Voter, ballot_burst, drop_server_database, http_burst, reconnect_and_retry,
    server_database_url,
)

pytestmark = pytest.mark.slow

PARTICIPANTS = 200
CHOICES = ("yes", "no", "abstain")
NEW_PACTS = 4
COMMENTS_PER_AUTHOR = 15

AUDIT = AuditEntry.__table__.c
BALLOTS = Ballot.__table__.c
RECORDS = VoteRecord.__table__.c
SIGNATURES = Signature.__table__.c
COMMENTS = Comment.__table__.c


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashableServer]:
    """One production-like server on a prepared database of its own; each test kills and restarts it."""
    workdir: Path = tmp_path_factory.mktemp("crash")
    url = server_database_url(database_url, workdir)
    crashable = CrashableServer(url, workdir)
    crashable.prepare_and_start()
    try:
        yield crashable
    finally:
        crashable.stop()
        drop_server_database(url)


# ------------------------------------------------------------------ checks shared by the scenarios

def assert_chain_verifies(server: CrashableServer) -> int:
    """The whole audit chain recomputes (what `flask audit verify` and /api/v1/audit/verify run);
    returns the head seq."""
    with Session(server.engine) as session:
        result = verify_chain(session)
    assert result.ok, f"audit chain broken after the crash at seq {result.broken_seq}: {result.reason}"
    api = http("GET", f"{server.url}/api/v1/audit/verify")
    assert api["ok"] and api["length"] == result.length, api
    return result.length


def audit_data(server: CrashableServer, action: str) -> list[tuple[str, dict[str, Any]]]:
    """(object, data) of every audit entry with this action."""
    return [(obj, data) for obj, data in server.rows(
        sa.select(AUDIT.object, AUDIT.data).where(AUDIT.action == action).order_by(AUDIT.seq))]


def assert_killed_midway(acked: int, total: int) -> None:
    """Precondition of the scenario, not a property: the kill must land after some acks and before all."""
    assert 0 < acked < total, f"the kill did not land mid-burst: {acked} of {total} acknowledged"


# ------------------------------------------------------------------ ballots

def stored_ballots(server: CrashableServer, poll_id: int) -> dict[str, Any]:
    """What the database holds for one poll: roll entries, ballots, and their audit entries."""
    records = server.rows(sa.select(RECORDS.voter_key, RECORDS.user_id, RECORDS.ballot_id)
                          .where(RECORDS.poll_id == poll_id))
    ballots = server.rows(sa.select(BALLOTS.id, BALLOTS.content, BALLOTS.receipt_hash)
                          .where(BALLOTS.poll_id == poll_id))
    audited = [data["voter"] for obj, data in audit_data(server, "votes.ballot.cast") if obj == f"poll:{poll_id}"]
    return {
        "voter_keys": Counter(r.voter_key for r in records),
        "user_ids": {r.user_id for r in records},
        "record_ballot": {r.user_id: r.ballot_id for r in records},
        "by_receipt": {b.receipt_hash: b for b in ballots},
        "ballots": len(ballots),
        "counts": Counter(b.content for b in ballots),
        "audited": Counter(audited),
    }


def assert_ballots_consistent(stored: dict[str, Any], voters: list[Voter], poll_id: int, secret: bool) -> None:
    twice = [key for key, n in stored["voter_keys"].items() if n > 1]
    assert not twice, f"poll {poll_id}: voters with two roll entries: {twice}"
    assert stored["ballots"] == sum(stored["voter_keys"].values()), (
        f"poll {poll_id}: {stored['ballots']} ballots for {sum(stored['voter_keys'].values())} roll entries")
    assert stored["audited"] == stored["voter_keys"], f"poll {poll_id}: audit entries and roll entries differ"
    for voter in voters:
        receipt = voter.receipts.get(poll_id)
        if receipt is None:
            continue
        assert voter.user_id in stored["user_ids"], f"poll {poll_id}: acknowledged voter {voter.user_id} not on the roll"
        ballot = stored["by_receipt"].get(receipt_hash(receipt))
        assert ballot is not None, f"poll {poll_id}: acknowledged receipt of user {voter.user_id} has no ballot"
        assert ballot.content == voter.choice
        if not secret:
            assert stored["record_ballot"][voter.user_id] == ballot.id


def assert_nothing_shown_was_undone(stored: dict[str, Any], voters: list[Voter], poll_id: int, head: int) -> None:
    """Events go out only after commit: a tally or seq a phone saw before the crash is still true."""
    seen_voted = max(v.seen_voted.get(poll_id, 0) for v in voters)
    assert seen_voted <= stored["ballots"], f"poll {poll_id}: a phone saw {seen_voted} ballots, {stored['ballots']} stored"
    seen_seq = max(v.seen_seq for v in voters)
    assert seen_seq <= head, f"a phone saw seq {seen_seq}, the chain after restart ends at {head}"


def assert_resync_shows_truth(acks: list[dict], voters: list[Voter], stored: dict[int, dict[str, Any]]) -> None:
    for ack, voter in zip(acks, voters):
        polls = {p["id"]: p for p in ack["snapshot"]["polls"]}
        for poll_id, truth in stored.items():
            poll = polls[poll_id]
            assert poll["voted"] == truth["ballots"], f"resync of user {voter.user_id}: {poll['voted']} ≠ {truth['ballots']}"
            assert {c: poll["counts"][c] for c in CHOICES} == {c: truth["counts"][c] for c in CHOICES}
            assert poll["viewer"]["has_voted"] == (voter.user_id in truth["user_ids"]), (
                f"resync tells user {voter.user_id} the wrong thing about their own ballot in poll {poll_id}")


def test_acknowledged_ballots_survive_a_sigkill_mid_burst(server: CrashableServer) -> None:
    chair, meeting_id, (named_id,), tokens = setup_vote(server.url, PARTICIPANTS)
    secret_id = http("POST", f"{server.url}/api/v1/polls", {
        "title": "Scrutinio segreto", "kind": "yesno", "meeting_id": meeting_id, "electorate": "people", "secret": True,
    }, chair)["id"]
    polls = {named_id: False, secret_id: True}
    for poll_id in polls:
        http("POST", f"{server.url}/api/v1/polls/{poll_id}/open", {}, chair)
    voters = [Voter(token, CHOICES[i % len(CHOICES)]) for i, token in enumerate(tokens)]
    total = len(voters) * len(polls)

    ballot_burst(server.url, voters, meeting_id, list(polls), server.kill, kill_after=total // 3)
    assert all(not v.refusals for v in voters), [v.refusals for v in voters if v.refusals][:5]
    assert_killed_midway(sum(len(v.receipts) for v in voters), total)
    server.restart()

    head = assert_chain_verifies(server)
    stored = {poll_id: stored_ballots(server, poll_id) for poll_id in polls}
    for poll_id, secret in polls.items():
        assert_ballots_consistent(stored[poll_id], voters, poll_id, secret)
        assert_nothing_shown_was_undone(stored[poll_id], voters, poll_id, head)

    acks = reconnect_and_retry(server.url, voters, meeting_id, list(polls))
    assert_resync_shows_truth(acks, voters, stored)
    for voter in voters:
        for poll_id, code in voter.retry_refusals.items():
            # the only refusal a retry may get: the ballot did count, only its ack was lost
            assert code == "already_voted" and voter.user_id in stored[poll_id]["user_ids"], (voter.user_id, code)

    assert_chain_verifies(server)
    expected = Counter(v.choice for v in voters)
    for poll_id, secret in polls.items():
        final = stored_ballots(server, poll_id)
        assert_ballots_consistent(final, voters, poll_id, secret)
        assert set(final["voter_keys"].values()) == {1} and final["user_ids"] == {v.user_id for v in voters}
        result = http("POST", f"{server.url}/api/v1/polls/{poll_id}/close", {}, chair)["result"]
        assert result["counts"] == {c: expected[c] for c in CHOICES}, (poll_id, result["counts"])


# ------------------------------------------------------------------ pact signatures

def representatives(server: CrashableServer) -> list[dict[str, Any]]:
    """Every delegate and substitute: two of them (CNA's) sign for the same organization."""
    chair = server.token("presidenza@demo.test")
    users = http("GET", f"{server.url}/api/v1/users", token=chair)
    return sorted((u for u in users if u["role"] == "member" and u["organization_id"]), key=lambda u: u["email"])


def frozen_pacts(server: CrashableServer) -> list[int]:
    """The demo pact (version 1 frozen, three founding signatures) and NEW_PACTS new frozen ones."""
    chair = server.token("presidenza@demo.test")
    ids = [p["id"] for p in http("GET", f"{server.url}/api/v1/pacts", token=chair) if p["versions"]][:1]
    for n in range(NEW_PACTS):
        markdown = f"# Impegni comuni\n\n## Clausola di prova {n}\n\nI firmatari si impegnano (prova {n}).\n"
        pact = http("POST", f"{server.url}/api/v1/pacts", {"title": f"Patto di prova {n}", "markdown": markdown}, chair)
        http("POST", f"{server.url}/api/v1/pacts/{pact['id']}/versions", {}, chair)
        ids.append(pact["id"])
    return ids


def active_signatures(server: CrashableServer, pact_ids: list[int]) -> list[Any]:
    return server.rows(sa.select(SIGNATURES.id, SIGNATURES.pact_id, SIGNATURES.organization_id)
                       .where(SIGNATURES.pact_id.in_(pact_ids), SIGNATURES.withdrawn_at.is_(None)))


def assert_signatures_consistent(server: CrashableServer, pact_ids: list[int], outcomes: list[CallOutcome]) -> set:
    """Returns the (pact, organization) pairs that hold an active signature."""
    active = active_signatures(server, pact_ids)
    pairs = Counter((s.pact_id, s.organization_id) for s in active)
    assert set(pairs.values()) <= {1}, f"organizations that signed a pact twice: {[p for p, n in pairs.items() if n > 1]}"
    by_id = {s.id: (s.pact_id, s.organization_id) for s in active}
    for outcome in outcomes:
        pact_id, organization_id, _email = outcome.key
        if outcome.acked:
            assert by_id.get(outcome.body["id"]) == (pact_id, organization_id), f"acknowledged signature lost: {outcome}"
        elif outcome.answered:
            assert outcome.status == 409 and "already_signed" in outcome.detail, f"unexpected answer: {outcome}"
            assert (pact_id, organization_id) in pairs, f"refused as already signed, but no signature: {outcome}"
    audited = Counter((d["pact_id"], d["organization_id"]) for _o, d in audit_data(server, "pact.signature.added")
                      if d["pact_id"] in pact_ids)
    assert audited == pairs, "signature rows and their audit entries differ"
    return set(pairs)


def sign_call(server: CrashableServer, pact_id: int, rep: dict[str, Any]) -> tuple[Any, str, str, Any, str]:
    return ((pact_id, rep["organization_id"], rep["email"]), "POST", f"{server.url}/api/v1/pacts/{pact_id}/signatures",
            {"version": 1, "declaration": "Aderiamo al Patto."}, server.token(rep["email"]))


def test_acknowledged_pact_signatures_survive_a_sigkill_mid_burst(server: CrashableServer) -> None:
    reps = representatives(server)
    pact_ids = frozen_pacts(server)
    calls = [sign_call(server, pact_id, rep) for pact_id in pact_ids for rep in reps]
    random.Random(10).shuffle(calls)

    outcomes = http_burst(calls, server.kill, kill_after=len(calls) // 3)
    assert_killed_midway(sum(o.acked for o in outcomes), len(calls))
    server.restart()

    signed = assert_signatures_consistent(server, pact_ids, outcomes)
    assert_chain_verifies(server)

    # whoever got no answer signs again: either it counts now, or it had counted ("already_signed")
    acked = {o.key[:2] for o in outcomes if o.acked}
    delegates = {rep["organization_id"]: rep for rep in reps if rep["email"].startswith("delegato.")}
    retries = [sign_call(server, p, delegates[o]) for p in pact_ids for o in delegates if (p, o) not in acked]
    retried = http_burst(retries, kill=lambda: None, kill_after=len(retries) + 1)
    assert all(o.answered for o in retried), [o for o in retried if not o.answered][:3]
    assert signed <= assert_signatures_consistent(server, pact_ids, outcomes + retried)
    assert len(active_signatures(server, pact_ids)) == len(pact_ids) * len(delegates)
    assert_chain_verifies(server)


# ------------------------------------------------------------------ comments

def open_proposal(server: CrashableServer, author_email: str) -> int:
    token = server.token(author_email)
    axis_id = http("GET", f"{server.url}/api/v1/proposals", token=token)[0]["axis"]["id"]
    return http("POST", f"{server.url}/api/v1/proposals", {
        "title": "Proposta da discutere durante un guasto", "body": "Testo della proposta.", "axis_id": axis_id,
        "publish": True,
    }, token)["id"]


def test_acknowledged_comments_survive_a_sigkill_mid_burst(server: CrashableServer) -> None:
    authors = [rep["email"] for rep in representatives(server)] + ["presidenza@demo.test"]
    proposal_id = open_proposal(server, authors[0])
    url = f"{server.url}/api/v1/proposals/{proposal_id}/comments"
    calls = [(f"Commento {n} di {email}", "POST", url, {"body": f"Commento {n} di {email}"}, server.token(email))
             for n in range(COMMENTS_PER_AUTHOR) for email in authors]

    outcomes = http_burst(calls, server.kill, kill_after=len(calls) // 3)
    acked = [o for o in outcomes if o.acked]
    assert_killed_midway(len(acked), len(calls))
    assert all(o.acked or not o.answered for o in outcomes), [o for o in outcomes if o.answered and not o.acked][:3]
    server.restart()

    rows = server.rows(sa.select(COMMENTS.id, COMMENTS.body).where(
        COMMENTS.subject_type == "proposal", COMMENTS.subject_id == proposal_id))
    bodies = Counter(r.body for r in rows)
    assert set(bodies.values()) <= {1}, f"comments stored twice: {[b for b, n in bodies.items() if n > 1]}"
    stored = {r.id: r.body for r in rows}
    for outcome in acked:
        assert stored.get(outcome.body["id"]) == outcome.key, f"acknowledged comment lost: {outcome.key}"
    audited = Counter(obj for obj, data in audit_data(server, "deliberation.comment.added")
                      if data["subject"] == f"proposal:{proposal_id}")
    assert audited == Counter(f"comment:{i}" for i in stored), "comment rows and their audit entries differ"
    assert_chain_verifies(server)
    # a page reloaded after the restart lists exactly what is stored
    listed = http("GET", url, token=server.token(authors[0]))
    assert sorted(c["id"] for c in listed) == sorted(stored)
