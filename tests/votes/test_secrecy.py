"""A secret poll's stored ballots cannot be joined to voters: inspect the tables themselves."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.votes.models import Ballot, VoteRecord
from app.votes.services import cast_ballot, receipt_hash
from tests.conftest import is_postgres
from tests.votes.factories import audit_entries, make_person, make_poll, make_table


@pytest.fixture
def secret_poll(session):
    chair = make_person(session, "chair")
    table = make_table(session, 30)
    poll = make_poll(session, chair, secret=True, open_it=True)
    receipts = []
    for i, (_org, delegate) in enumerate(table):  # cast one at a time: the casting order is known here
        receipts.append(cast_ballot(session, delegate, poll, {"choice": ("yes", "no")[i % 2]}))
        session.commit()
    return poll, table, receipts


def test_ballots_table_has_no_voter_no_time_no_sequence(app_ctx, secret_poll):
    columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("ballots")}
    assert set(columns) == {"id", "poll_id", "content", "weight", "receipt_hash"}
    assert not any(isinstance(c["type"], (sa.DateTime, sa.Date, sa.Time)) for c in columns.values())
    foreign = sa.inspect(db.engine).get_foreign_keys("ballots")
    assert [fk["referred_table"] for fk in foreign] == ["polls"]  # nothing points at users or organizations


def test_secret_roll_has_no_link_to_ballots(session, secret_poll):
    poll, table, _receipts = secret_poll
    records = session.execute(sa.select(VoteRecord.voter_key, VoteRecord.ballot_id).where(VoteRecord.poll_id == poll.id)).all()
    assert len(records) == 30 and {ballot_id for _k, ballot_id in records} == {None}


def test_ballot_ids_are_random_and_not_in_casting_order(session, secret_poll):
    poll, _table, receipts = secret_poll
    # the test knows each receipt, hence each ballot row, in casting order; the database does not
    by_hash = dict(session.execute(sa.select(Ballot.receipt_hash, Ballot.id).where(Ballot.poll_id == poll.id)).all())
    cast_order = [by_hash[receipt_hash(r)] for r in receipts]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in cast_order)
    assert sorted(cast_order) != cast_order  # 1 chance in 30! of a false alarm
    assert len(set(i[:8] for i in cast_order)) == 30  # no shared prefix as time-based ids would have


@pytest.mark.skipif(is_postgres(), reason="SQLite storage detail (PostgreSQL's heap order is documented in docs/votes.md)")
def test_sqlite_stores_ballots_without_rowid(session, secret_poll):
    poll, _table, receipts = secret_poll
    with pytest.raises(sa.exc.OperationalError):
        session.execute(sa.text("SELECT rowid FROM ballots")).all()
    session.rollback()
    scanned = session.execute(sa.text("SELECT id FROM ballots WHERE poll_id = :p"), {"p": poll.id}).scalars().all()
    # storage (the primary key's B-tree) and scans follow the random id or the content, not the casting order
    by_hash = dict(session.execute(sa.select(Ballot.receipt_hash, Ballot.id)).all())
    assert scanned != [by_hash[receipt_hash(r)] for r in receipts]


def test_secret_audit_entries_record_voters_only(session, secret_poll):
    poll, table, _receipts = secret_poll
    entries = audit_entries(session, "votes.ballot.cast")
    assert len(entries) == 30
    assert all(set(e.data) == {"poll_id", "voter"} for e in entries)
    hashes = set(session.scalars(sa.select(Ballot.receipt_hash)))
    assert not any(h in str(e.data) for e in entries for h in hashes)


def test_named_poll_links_the_roll_to_the_ballot(session):
    chair = make_person(session, "chair")
    table = make_table(session, 2)
    poll = make_poll(session, chair, open_it=True)
    cast_ballot(session, table[0][1], poll, {"choice": "no"})
    session.commit()
    content = session.scalar(sa.select(Ballot.content).join(VoteRecord, VoteRecord.ballot_id == Ballot.id)
                             .where(VoteRecord.voter_key == f"organization:{table[0][0].id}"))
    assert content == "no"
