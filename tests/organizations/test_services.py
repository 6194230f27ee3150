"""Organization services: rules enforced below the faces (and by the database)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from app.organizations.models import Adhesion, Category
from app.organizations.services import adhere, create_organization, list_organizations, table_coverage, withdraw
from tests.factories import count_rows, make_org, make_user


def test_coverage_lists_every_category_once(session):
    make_org(session, name="A", category="ricerca")
    make_org(session, name="B", category="ricerca")
    make_org(session, name="C", category="impresa", adhered=False)
    rows = {row["category"]: row for row in table_coverage(list_organizations(session))}
    assert list(rows) == [c.value for c in Category]
    assert [o.name for o in rows["ricerca"]["members"]] == ["A", "B"]
    assert rows["impresa"]["members"] == []
    assert rows["ricerca"]["label"] == "Ricerca e formazione"


def test_database_allows_one_open_adhesion_per_organization(session):
    org = make_org(session, name="Unica")
    session.add(Adhesion(organization_id=org.id, representative_name="X"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert count_rows(session, Adhesion) == 1


def test_withdraw_records_who_and_when(session):
    org = make_org(session, name="Chi")
    admin = make_user(session, role="admin")
    adhesion = withdraw(session, admin, org, "  motivo  ")
    session.commit()
    assert adhesion.withdrawn_by_id == admin.id and adhesion.withdrawal_reason == "motivo"
    assert adhesion.withdrawn_at >= adhesion.adhered_at


def test_service_refusals_raise_and_write_nothing(session):
    org = make_org(session, name="Rifiuti", adhered=False)
    member = make_user(session, role="member")
    with pytest.raises(Unauthorized):
        adhere(session, None, org)
    with pytest.raises(Forbidden):
        adhere(session, member, org)
    with pytest.raises(InvalidInput):
        adhere(session, None, org, "x" * 5001, system=True)
    with pytest.raises(Conflict):
        withdraw(session, make_user(session, role="admin"), org)
    with pytest.raises(InvalidInput):
        create_organization(session, None, name="Nuova", category="partito", system=True)
    with pytest.raises(InvalidInput):
        create_organization(session, None, name="Nuova", category="cultura", weight=0, system=True)
    with pytest.raises(Conflict):
        create_organization(session, None, name="rifiuti", category="cultura", system=True)
    session.rollback()
    assert count_rows(session, Adhesion, Adhesion.organization_id == org.id) == 0


def test_readhesion_after_withdrawal_keeps_both_rows(session):
    org = make_org(session, name="Due volte")
    admin = make_user(session, role="admin")
    withdraw(session, admin, org)
    second = adhere(session, admin, org, "di nuovo")
    session.commit()
    rows = session.scalars(sa.select(Adhesion).where(Adhesion.organization_id == org.id).order_by(Adhesion.id)).all()
    assert len(rows) == 2 and rows[0].withdrawn_at is not None and rows[1].id == second.id
    assert org.active_adhesion is second
