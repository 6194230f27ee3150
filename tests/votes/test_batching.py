"""Group commit of ballots (app.votes.batching): ballots arriving together share one transaction,
each is acknowledged only after that commit, a refusal touches only its own ballot, and a batch that
fails as a whole is retried ballot by ballot (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.audit.services import verify_chain
from app.core.errors import DomainError
from app.extensions import db
from app.votes import batching
from app.votes.batching import BallotWriter
from app.votes.models import Ballot, VoteRecord
from app.votes.services import cast_ballot, cast_ballots
from tests.factories import audit_actions, count_rows
from tests.votes.factories import make_person, make_poll, make_table


def _submit(app, writer: BallotWriter, poll_id: int, user_id: int, ballot: dict, results: dict, barrier=None) -> None:
    with app.test_request_context():
        try:
            if barrier is not None:
                barrier.wait()
            results[user_id] = writer.submit(db.session, user_id, poll_id, ballot)
        except DomainError as exc:
            results[user_id] = exc.code
        except Exception as exc:  # surfaced by the assertions
            results[user_id] = repr(exc)
        finally:
            db.session.remove()


def _cast_together(app, session, voters: int, max_batch: int, choice: str):
    """`voters` delegates of a new table submit at the same instant to a writer of `max_batch`:
    the open poll, the writer and each voter's receipt or refusal code."""
    chair = make_person(session, "chair")
    table = make_table(session, voters)
    poll = make_poll(session, chair, open_it=True)
    writer = BallotWriter(max_batch=max_batch)
    results: dict = {}
    barrier = threading.Barrier(len(table))
    _run(session, [threading.Thread(target=_submit, args=(app, writer, poll.id, d.id, {"choice": choice}, results, barrier))
                   for _org, d in table])
    return poll, writer, results


def _run(session, threads) -> None:
    session.commit()  # SQLite: the test's own session holds no transaction while the threads write
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


@pytest.fixture
def sized(monkeypatch):
    """Record the size of every batch written (and slow the first, so the others pile up behind it)."""
    sizes: list[int] = []
    original = batching.write_batch
    first = threading.Event()

    def recording(session, batch):
        sizes.append(len(batch))
        if not first.is_set():
            first.set()
            threading.Event().wait(0.3)  # a commit that takes a while: ballots keep arriving meanwhile
        return original(session, batch)

    monkeypatch.setattr(batching, "write_batch", recording)
    return sizes


def test_a_batch_mixes_receipts_and_refusals_and_writes_only_the_accepted(session):
    chair = make_person(session, "chair")
    table = make_table(session, 3)
    outsider = make_person(session, "observer")
    poll = make_poll(session, chair, open_it=True)
    before = len(audit_actions(session))
    (_a, first), (_b, second), (_c, third) = table
    outcomes = cast_ballots(session, poll, [
        (first, {"choice": "yes"}), (outsider, {"choice": "yes"}), (second, {"choice": "maybe"}),
        (third, {"choice": "no"}), (first, {"choice": "no"}),
    ])
    session.commit()
    codes = [o.code if isinstance(o, DomainError) else "receipt" for o in outcomes]
    assert codes == ["receipt", "not_entitled", "invalid_choice", "receipt", "already_voted"]
    assert sorted(session.scalars(sa.select(Ballot.content).where(Ballot.poll_id == poll.id))) == ["no", "yes"]
    assert audit_actions(session)[before:] == ["votes.ballot.cast", "votes.ballot.cast"]
    assert verify_chain(session).ok


def test_ballots_arriving_together_share_a_commit_and_each_gets_its_receipt(app, session, sized):
    poll, writer, results = _cast_together(app, session, 30, max_batch=500, choice="yes")
    assert len(results) == 30 and all(isinstance(r, str) and len(r) > 12 for r in results.values()), results
    assert count_rows(session, Ballot, Ballot.poll_id == poll.id) == 30
    assert count_rows(session, VoteRecord, VoteRecord.poll_id == poll.id) == 30
    assert sum(sized) == 30 and len(sized) < 30  # grouped: fewer transactions than ballots
    assert not writer._writing and not writer._pending  # the writer's role was handed back
    assert verify_chain(session).ok


def test_a_batch_larger_than_the_maximum_is_split(app, session, sized):
    poll, _writer, _results = _cast_together(app, session, 12, max_batch=4, choice="no")
    assert max(sized) <= 4 and sum(sized) == 12
    assert count_rows(session, Ballot, Ballot.poll_id == poll.id) == 12


def test_a_batch_that_fails_as_a_whole_is_retried_ballot_by_ballot(app, session, past_the_early_check):
    """One voter's ballot committed elsewhere after the early check: the UNIQUE constraint fails the
    batch; retried alone, the two others are written and the third gets already_voted."""
    chair = make_person(session, "chair")
    table = make_table(session, 3)
    poll = make_poll(session, chair, open_it=True)
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()
    requests = [batching.BallotRequest(d.id, poll.id, {"choice": "no"}) for _org, d in table]
    writer = BallotWriter()
    with app.test_request_context():
        writer._writing = True
        writer._pending = list(requests)
        writer._write_until_served(db.session, requests[-1])
        db.session.remove()
    outcomes = [r.outcome.code if isinstance(r.outcome, DomainError) else "receipt" for r in requests]
    assert outcomes == ["already_voted", "receipt", "receipt"]
    assert sorted(session.scalars(sa.select(Ballot.content).where(Ballot.poll_id == poll.id))) == ["no", "no", "yes"]
    assert verify_chain(session).ok


def test_an_unexpected_failure_is_reported_to_every_voter_and_frees_the_writer(app, session, monkeypatch):
    chair = make_person(session, "chair")
    table = make_table(session, 2)
    poll = make_poll(session, chair, open_it=True)

    def broken(session, batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batching, "write_batch", broken)
    writer = BallotWriter()
    results: dict = {}
    _run(session, [threading.Thread(target=_submit, args=(app, writer, poll.id, table[0][1].id, {"choice": "yes"}, results))])
    assert "disk full" in results[table[0][1].id]
    assert count_rows(session, Ballot) == 0 and not writer._writing
    monkeypatch.undo()
    _run(session, [threading.Thread(target=_submit, args=(app, writer, poll.id, table[1][1].id, {"choice": "yes"}, results))])
    assert count_rows(session, Ballot) == 1


def test_refusals_are_worded_in_each_voters_language(app, session):
    chair = make_person(session, "chair")
    table = make_table(session, 1)
    poll = make_poll(session, chair, open_it=True)
    cast_ballot(session, table[0][1], poll, {"choice": "yes"})
    session.commit()
    requests = [batching.BallotRequest(table[0][1].id, poll.id, {"choice": "no"}, locale)
                for locale in ("it", "en")]
    with app.test_request_context():
        outcomes = batching.write_batch(db.session, requests)
        db.session.rollback()
        db.session.remove()
    assert [o.code for o in outcomes] == ["already_voted", "already_voted"]
    assert outcomes[0].message != outcomes[1].message and "già" in outcomes[0].message
