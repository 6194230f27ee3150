"""Concurrent ballots with threads, each with its own app context and session (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.votes.models import Ballot, Poll, VoteRecord
from app.votes.services import cast_ballot, close_poll, receipt_hash
from tests.votes.factories import make_person, make_poll, make_table


def _cast(app, poll_id: int, user_id: int, ballot: dict, results: list, barrier=None, hold=None) -> None:
    """Cast in a fresh app context; append ("ok", receipt) only once the commit succeeded."""
    with app.app_context():
        try:
            if barrier is not None:
                barrier.wait()
            poll = db.session.get(Poll, poll_id)
            user = db.session.get(User, user_id)
            receipt = cast_ballot(db.session, user, poll, ballot)
            if hold is not None:
                hold.wait(10)  # keep the transaction open (and its row written) until told
            db.session.commit()
            results.append(("ok", receipt))
        except DomainError as exc:
            db.session.rollback()
            results.append((exc.code, None))
        except Exception as exc:  # surfaced by the assertions below
            db.session.rollback()
            results.append(("error", repr(exc)))
        finally:
            db.session.remove()


def _run(session, threads) -> None:
    # SQLite takes its write lock at BEGIN: the test's own session must hold no transaction meanwhile
    session.commit()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)


def test_100_concurrent_ballots_give_exactly_100_rows(app, session):
    chair = make_person(session, "chair")
    table = make_table(session, 100)
    poll = make_poll(session, chair, open_it=True)
    results: list = []
    barrier = threading.Barrier(100)
    choices = ["yes", "no", "abstain"]
    _run(session, [threading.Thread(target=_cast, args=(app, poll.id, delegate.id, {"choice": choices[i % 3]}, results, barrier))
                   for i, (_org, delegate) in enumerate(table)])
    assert [code for code, _r in results].count("ok") == 100, [r for r in results if r[0] != "ok"]
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id)) == 100
    assert session.scalar(sa.select(sa.func.count()).select_from(VoteRecord).where(VoteRecord.poll_id == poll.id)) == 100
    close_poll(session, chair, session.get(Poll, poll.id))
    session.commit()
    assert session.get(Poll, poll.id).result["counts"] == {"yes": 34, "no": 33, "abstain": 33}


def test_two_threads_for_the_same_voter_exactly_one_succeeds(app, session):
    chair = make_person(session, "chair")
    table = make_table(session, 3, substitutes=True)
    voters = [u.id for u in sorted(table[0][0].representatives, key=lambda u: u.member_kind)]
    for round_ in range(4):
        poll_id = make_poll(session, chair, title=f"Votazione {round_}", open_it=True).id
        results: list = []
        barrier = threading.Barrier(2)
        _run(session, [threading.Thread(target=_cast, args=(app, poll_id, user_id, {"choice": "yes"}, results, barrier))
                       for user_id in voters])
        assert sorted(code for code, _r in results) == ["already_voted", "ok"], results
        session.expire_all()
        assert session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.poll_id == poll_id)) == 1


def test_a_second_ballot_waiting_on_an_uncommitted_first_one_gets_the_conflict(app, session):
    """On PostgreSQL the second transaction passes the early check and waits on the UNIQUE index;
    on SQLite it waits for the write lock. Either way: the first commits, the second gets 409."""
    chair = make_person(session, "chair")
    table = make_table(session, 2, substitutes=True)
    delegate, substitute = sorted(table[0][0].representatives, key=lambda u: u.member_kind)
    poll = make_poll(session, chair, open_it=True)
    first: list = []
    second: list = []
    hold = threading.Event()
    a = threading.Thread(target=_cast, args=(app, poll.id, delegate.id, {"choice": "yes"}, first, None, hold))
    b = threading.Thread(target=_cast, args=(app, poll.id, substitute.id, {"choice": "no"}, second))
    session.commit()
    a.start()
    time.sleep(0.3)  # let the first one write its rows (not an assertion: any interleaving must pass)
    b.start()
    time.sleep(0.3)
    hold.set()
    a.join(60)
    b.join(60)
    assert first[0][0] == "ok" and second == [("already_voted", None)]
    session.expire_all()
    assert session.scalars(sa.select(Ballot.content).where(Ballot.poll_id == poll.id)).all() == ["yes"]


def test_closing_while_ballots_race_counts_exactly_the_acknowledged_ones(app, session):
    chair = make_person(session, "chair")
    table = make_table(session, 40)
    poll = make_poll(session, chair, open_it=True)
    results: list = []
    closed: list = []
    chair_id, poll_id = chair.id, poll.id

    def closer() -> None:
        deadline = time.monotonic() + 30
        while len(results) < 8 and time.monotonic() < deadline:
            time.sleep(0.005)
        with app.app_context():
            try:
                close_poll(db.session, db.session.get(User, chair_id), db.session.get(Poll, poll_id))
                db.session.commit()
                closed.append(True)
            finally:
                db.session.remove()

    barrier = threading.Barrier(len(table))
    threads = [threading.Thread(target=_cast, args=(app, poll.id, d.id, {"choice": "yes"}, results, barrier))
               for _org, d in table]
    threads.append(threading.Thread(target=closer))
    _run(session, threads)
    assert closed == [True]
    acknowledged = [receipt for code, receipt in results if code == "ok"]
    refused = [code for code, _r in results if code != "ok"]
    assert set(refused) <= {"poll_not_open"}, refused
    assert len(acknowledged) + len(refused) == len(table)
    session.expire_all()
    stored = set(session.scalars(sa.select(Ballot.receipt_hash).where(Ballot.poll_id == poll.id)))
    assert stored == {receipt_hash(r) for r in acknowledged}
    result = session.get(Poll, poll.id).result
    assert result["voted"] == len(acknowledged) == result["counts"]["yes"]
