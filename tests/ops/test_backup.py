"""A backup taken while serving restores to a database whose audit chain verifies."""
from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import verify_chain
from app.extensions import db
from tests.factories import make_org


def _chain(session) -> tuple[int, str]:
    result = verify_chain(session)
    assert result.ok
    return result.length, result.head


def test_backup_then_restore_gives_back_the_verified_state(app, session, tmp_path):
    make_org(session, name="Prima")
    before = _chain(session)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["backup", str(tmp_path / "tavolo.backup")])
    assert out.exit_code == 0, out.output
    assert f"length {before[0]}" in out.output

    make_org(session, name="Dopo il backup")  # changes the restore must undo
    assert _chain(session)[0] > before[0]
    session.commit()
    db.session.remove()

    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "tavolo.backup")])
    assert out.exit_code == 0, out.output
    assert "audit chain intact" in out.output
    assert _chain(db.session) == before
    names = db.session.scalars(sa.text("SELECT name FROM organizations")).all()
    assert list(names) == ["Prima"]


def test_restore_of_a_tampered_backup_is_reported(app, session, tmp_path):
    make_org(session, name="Prima")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    # tamper with the live database, back it up, restore it: the chain check names the entry
    session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 1).values(action="altered.by.hand"))
    session.commit()
    assert runner.invoke(args=["backup", str(tmp_path / "tampered")]).exit_code == 0
    db.session.remove()
    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "tampered")])
    assert out.exit_code == 2
    assert "seq 1" in out.output


def test_restore_of_a_missing_file_fails_cleanly(app, tmp_path):
    out = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "missing")])
    assert out.exit_code != 0
