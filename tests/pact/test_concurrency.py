"""Concurrent endorsement changes and signatures (threads, each with its own session; SQLite and PostgreSQL): one
current position per organization and clause, every acknowledged change in the history and the audit."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.pact.models import Clause, Endorsement, Pact, Signature
from app.pact.services import clauses_of, freeze_version, import_pact, set_endorsement, sign_pact
from tests.factories import make_org
from tests.meetings.factories import make_chair, person
from tests.pact.test_services import DRAFT

POSITIONS = [("endorse", ""), ("reservation", "Solo con fondi regionali"), ("oppose", "Non sostenibile")]


def _set(app, user_id: int, clause_id: int, position: str, note: str, barrier: threading.Barrier,
         results: list) -> None:
    """Set a position in a fresh app context; ("ok", position) only once the commit succeeded."""
    _committed(app, barrier, results, lambda: set_endorsement(
        db.session, db.session.get(User, user_id), db.session.get(Clause, clause_id), position, note).position)


def _sign(app, user_id: int, pact_id: int, barrier: threading.Barrier, results: list) -> None:
    _committed(app, barrier, results, lambda: sign_pact(
        db.session, db.session.get(User, user_id), db.session.get(Pact, pact_id), 1).organization_id)


def _committed(app, barrier: threading.Barrier, results: list, act: Callable[[], Any]) -> None:
    """Run `act` in a fresh app context; ("ok", value) only once the commit succeeded."""
    with app.app_context():
        try:
            barrier.wait()
            value = act()
            db.session.commit()
            results.append(("ok", value))
        except DomainError as exc:
            db.session.rollback()
            results.append((exc.code, None))
        except Exception as exc:  # surfaced by the assertions
            db.session.rollback()
            results.append(("error", repr(exc)))
        finally:
            db.session.remove()


def _race(app, session, calls: list[tuple], target: Callable = _set) -> list:
    results: list = []
    barrier = threading.Barrier(len(calls))
    threads = [threading.Thread(target=target, args=(app, *call, barrier, results)) for call in calls]
    session.commit()  # SQLite takes its write lock at BEGIN: hold no transaction meanwhile
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _current(session, clause_id: int, organization_id: int) -> list[Endorsement]:
    session.expire_all()
    return list(session.scalars(sa.select(Endorsement).where(
        Endorsement.clause_id == clause_id, Endorsement.organization_id == organization_id,
        Endorsement.superseded_at.is_(None))))


def _audited(session, clause_id: int) -> int:
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "pact.endorsement.set")).all()
    return sum(1 for e in entries if (e.data or {}).get("clause_id") == clause_id)


def test_two_members_of_one_organization_changing_its_position_at_once(app, session) -> None:
    chair = make_chair(session)
    organization = make_org(session, name="Confcooperative")
    members = [person(session, "member", organization=organization) for _ in range(3)]
    clause_id = clauses_of(import_pact(session, chair, "Patto", DRAFT))[0].id
    session.commit()
    acknowledged = 0
    for _round in range(4):
        results = _race(app, session, [(m.id, clause_id, *POSITIONS[i]) for i, m in enumerate(members)])
        assert not [r for r in results if r[0] not in ("ok", "no_change")], results
        ok = [position for code, position in results if code == "ok"]
        assert ok, results
        acknowledged += len(ok)
        current = _current(session, clause_id, organization.id)
        assert len(current) == 1, current
        assert current[0].position in ok
        assert _audited(session, clause_id) == acknowledged
        total = session.scalar(sa.select(sa.func.count()).select_from(Endorsement).where(
            Endorsement.clause_id == clause_id))
        assert total == acknowledged  # every acknowledged change kept as history, nothing else


def test_many_organizations_on_one_clause_at_once(app, session) -> None:
    chair = make_chair(session)
    clause_id = clauses_of(import_pact(session, chair, "Patto", DRAFT))[0].id
    members = [person(session, "member") for _ in range(12)]
    results = _race(app, session, [(m.id, clause_id, *POSITIONS[i % 3]) for i, m in enumerate(members)])
    assert [code for code, _p in results] == ["ok"] * 12, results
    for member in members:
        assert len(_current(session, clause_id, member.organization_id)) == 1


def test_members_of_one_organization_signing_at_once_give_one_signature(app, session) -> None:
    chair = make_chair(session)
    organization = make_org(session, name="Legacoop")
    members = [person(session, "member", organization=organization) for _ in range(3)]
    pact = import_pact(session, chair, "Patto", DRAFT)
    freeze_version(session, chair, pact)
    session.commit()
    results = _race(app, session, [(m.id, pact.id) for m in members], target=_sign)
    assert sorted(code for code, _v in results) == ["already_signed", "already_signed", "ok"], results
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Signature).where(
        Signature.pact_id == pact.id, Signature.organization_id == organization.id)) == 1
