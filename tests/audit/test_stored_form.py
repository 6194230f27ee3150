"""The hash covers what is stored and exported, whatever the caller passed."""
from __future__ import annotations

import pytest

from app.audit.models import AuditEntry
from app.audit.services import iter_public_entries, object_ref, record, verify_chain
from app.process.models import Axis, Process
from tests.factories import count_rows


def test_integer_keys_still_verify_after_reload(session):
    # as numbers 2 < 10, as strings "10" < "2": the hash must be computed on the stored form
    record(session, None, "votes.poll.closed", ("poll", 1), {"borda": {2: 5, 10: 7}, "ids": (1, 2)})
    session.commit()
    session.expire_all()
    entry = next(iter_public_entries(session))
    assert entry["data"] == {"borda": {"2": 5, "10": 7}, "ids": [1, 2]}
    assert verify_chain(session).ok


@pytest.mark.parametrize("data", [{"x": float("nan")}, {"when": object()}])
def test_non_json_data_refused_before_writing(session, data):
    with pytest.raises((ValueError, TypeError)):
        record(session, None, "test.bad.data", None, data)
    session.rollback()
    assert count_rows(session, AuditEntry) == 0


def test_object_ref_uses_singular_table_names():
    assert object_ref(Process(id=3)) == "process:3"
    assert object_ref(Axis(id=4)) == "axis:4"
    assert object_ref(("proposal", 12)) == "proposal:12"
    assert object_ref(None) == ""
