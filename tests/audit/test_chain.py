from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from app.audit.chain import GENESIS_HASH, entry_hash, verify_entries
from app.audit.models import AuditEntry
from app.audit.services import iter_public_entries, record, verify_chain
from app.extensions import db
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[2]


def test_record_links_entries(session):
    first = record(session, None, "test.thing.created", ("thing", 1), {"n": 1})
    second = record(session, None, "test.thing.changed", ("thing", 1), {"n": 2})
    session.commit()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert second.seq == 2 and second.prev_hash == first.hash
    entries = list(iter_public_entries(session))
    assert [e["hash"] for e in entries] == [first.hash, second.hash]
    assert entry_hash(entries[1]) == second.hash
    assert verify_chain(session).ok


def test_rollback_leaves_no_entry(session):
    record(session, None, "test.thing.created", ("thing", 1))
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(AuditEntry.seq))) == 0


def test_tampered_row_is_named(app, session):
    make_org(session, name="A")
    make_org(session, name="B")
    length = verify_chain(session).length
    assert length == 4
    # edit the data of entry 2 behind the application's back
    session.execute(sa.text("UPDATE audit_entries SET data = :d WHERE seq = 2"), {"d": json.dumps({"statement": "altered"})})
    session.commit()
    result = verify_chain(session)
    assert not result.ok and result.broken_seq == 2

    runner = app.test_cli_runner()
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code != 0
    assert "seq 2" in out.output


def test_cli_verify_ok(app, session):
    make_org(session, name="A")
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output
    assert "length 2" in out.output


def test_deleted_entry_breaks_the_chain(session):
    for i in range(3):
        record(session, None, "test.x.y", ("x", i))
    session.commit()
    session.execute(sa.text("DELETE FROM audit_entries WHERE seq = 2"))
    session.commit()
    result = verify_chain(session)
    assert not result.ok and result.broken_seq == 3


def test_verify_entries_detects_reordered_export():
    a = {"seq": 1, "at": "2020-01-15T10:00:00Z", "actor": None, "action": "a.b.c", "object": "", "data": {}, "prev_hash": GENESIS_HASH}
    a["hash"] = entry_hash(a)
    b = {"seq": 2, "at": "2020-01-15T10:00:01Z", "actor": 3, "action": "a.b.d", "object": "x:1", "data": {"k": "è"}, "prev_hash": a["hash"]}
    b["hash"] = entry_hash(b)
    assert verify_entries([a, b]).ok
    assert not verify_entries([b, a]).ok


def test_concurrent_appends_stay_linear(app):
    """Threads appending at once: a gap-free chain, every link valid (SQLite and PostgreSQL)."""
    errors: list[Exception] = []

    def worker(n: int) -> None:
        with app.app_context():
            try:
                for i in range(5):
                    record(db.session, None, "test.concurrent.append", ("worker", n), {"i": i})
                    db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        result = verify_chain(db.session)
        assert result.ok and result.length == 40


def test_api_audit_and_verify(client, session):
    make_org(session, name="A")
    entries = client.get("/api/v1/audit").get_json()
    assert [e["seq"] for e in entries] == [1, 2]
    assert entries[0]["action"] == "organizations.organization.created"
    assert set(entries[0]) == {"seq", "at", "actor", "action", "object", "data", "prev_hash", "hash"}
    assert client.get("/api/v1/audit?after=1").get_json()[0]["seq"] == 2
    verify = client.get("/api/v1/audit/verify").get_json()
    assert verify == {"ok": True, "length": 2, "head": entries[1]["hash"]}
    assert client.get("/api/v1/audit?after=-1").status_code == 422


def test_audit_page(client, session):
    make_org(session, name="A")
    html = client.get("/audit?verify=1").get_data(as_text=True)
    assert "organizations.organization.created" in html
    assert "Catena integra" in html
