"""The plans PostgreSQL chooses for the queries of a live ballot batch, on tables just written.

A poll's roll and its votes are written moments before the batch queries run, so the planner has no
statistics for them: a query that is only fast with good statistics is slow exactly in a live vote.
PostgreSQL only: the planner in question is PostgreSQL's (SQLite always probes an index).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from app.votes.services import cast_ballots, roll_and_votes_query
from tests.conftest import is_postgres
from tests.votes.factories import make_person, make_poll, make_table

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's planner")


def _explain(session, statement: sa.Select) -> dict[str, Any]:
    sql = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    raw = session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_already_voted_is_one_index_probe_per_key_whatever_the_statistics(session):
    chair = make_person(session, "chair")
    table = make_table(session, 40)
    poll = make_poll(session, chair, open_it=True)
    outcomes = cast_ballots(session, poll, [(delegate, {"choice": "yes"}) for _org, delegate in table[:25]])
    session.commit()
    assert all(isinstance(receipt, str) for receipt in outcomes)
    keys = [f"organization:{org.id}" for org, _delegate in table[15:]]  # some voted, some not

    plan = _explain(session, roll_and_votes_query(poll.id, keys))

    votes = [node for node in _nodes(plan) if node.get("Relation Name") == "vote_records"]
    assert votes, plan
    for node in votes:  # never scanned and joined (a nested loop over every vote so far, without statistics)
        assert node["Parent Relationship"] == "SubPlan", plan
        assert node["Node Type"] in ("Index Scan", "Index Only Scan"), plan
        assert node["Index Name"] == "uq_vote_records_poll_id_voter_key", plan
