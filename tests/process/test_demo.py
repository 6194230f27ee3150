"""`flask seed-demo`: idempotent, prints the demo accounts, --if-empty; the demo's content and accounts."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import verify_chain
from app.extensions import db
from app.meetings.models import Meeting
from app.organizations.models import Adhesion, Organization
from app.process.demo import DEMO_PASSWORD
from app.process.models import Axis, Process
from tests.factories import bearer, count_rows, csrf_token, make_org

DEMO_LOGINS = ["admin@demo.test", "presidenza@demo.test", "osservatore@demo.test", "delegato.cna@demo.test",
               "sostituto.cna@demo.test"]


def run_cli(app, session, *args: str):
    session.commit()  # the command runs in its own app context and session; on SQLite it needs the write lock
    result = app.test_cli_runner().invoke(args=list(args))
    session.expire_all()
    return result


def table_counts(session) -> dict[str, int]:
    session.expire_all()
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


def test_seed_demo_twice_is_idempotent(app, session):
    first = run_cli(app, session, "seed-demo")
    assert first.exit_code == 0, first.output
    counts = table_counts(session)
    assert counts["processes"] == 1 and counts["organizations"] >= 8 and counts["audit_entries"] > 0
    second = run_cli(app, session, "seed-demo")
    assert second.exit_code == 0, second.output
    assert table_counts(session) == counts
    result = verify_chain(session)
    assert result.ok and result.length == counts["audit_entries"]
    assert run_cli(app, session, "audit", "verify").exit_code == 0


def test_seed_demo_prints_accounts_and_password(app, session):
    output = run_cli(app, session, "seed-demo").output
    assert DEMO_PASSWORD in output
    for email in DEMO_LOGINS + ["delegato.cgil@demo.test"]:
        assert email in output


def test_seed_demo_if_empty_does_nothing_on_a_non_empty_database(app, session):
    make_org(session, name="Già qui")
    process = Process(slug="altro", name="Altro percorso")
    session.add(process)
    session.commit()
    before = table_counts(session)
    result = run_cli(app, session, "seed-demo", "--if-empty")
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert table_counts(session) == before


def test_seed_demo_if_empty_loads_an_empty_database(app, session):
    result = run_cli(app, session, "seed-demo", "--if-empty")
    assert result.exit_code == 0 and "admin@demo.test" in result.output
    assert count_rows(session, Process) == 1


def test_demo_content(demo, session):
    adhered = session.scalars(sa.select(Organization).join(Adhesion).where(Adhesion.withdrawn_at.is_(None))).all()
    assert len(adhered) >= 8
    assert len({o.category for o in adhered}) >= 6  # many points of view at the table
    axes = session.scalars(sa.select(Axis).order_by(Axis.position)).all()
    assert [a.name for a in axes] == ["Sviluppo economico", "Connessioni materiali e immateriali",
                                      "Sviluppo sostenibile", "Valle del Santerno", "Salute e qualità della vita"]
    meeting = session.scalar(sa.select(Meeting).order_by(Meeting.starts_at))
    assert meeting.starts_at.astimezone(dt.timezone(dt.timedelta(hours=1))).date() == dt.date(2020, 1, 15)
    assert [item.title for item in meeting.items] == [
        "Condivisione del percorso", "Adesione al TdN", "Sostegno alla promozione delle attività"]
    assert verify_chain(session).ok
    actions = set(session.scalars(sa.select(AuditEntry.action)))
    assert {"process.process.created", "organizations.adhesion.created", "meetings.meeting.created"} <= actions


def test_demo_audit_holds_no_personal_data(demo, session):
    for data in session.scalars(sa.select(AuditEntry.data)):
        text = str(data)
        assert "@" not in text and DEMO_PASSWORD not in text


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_demo_accounts_log_in_through_the_form(client, demo, email):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert client.get("/api/v1/me").get_json()["email"] == email


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_demo_accounts_log_in_through_the_api(client, demo, email):
    response = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"]["email"] == email


def test_demo_roles_and_delegates_listed_for_admin(client, demo):
    token = client.post("/api/v1/auth/token", json={"email": "admin@demo.test", "password": DEMO_PASSWORD}).get_json()["token"]
    users = {u["email"]: u for u in client.get("/api/v1/users", headers=bearer(token)).get_json()}
    assert users["admin@demo.test"]["role"] == "admin"
    assert users["presidenza@demo.test"]["role"] == "chair"
    assert users["osservatore@demo.test"]["role"] == "observer"
    delegates = [u for u in users.values() if u["role"] == "member" and u["member_kind"] == "delegate"]
    assert len(delegates) == len(demo["organizations"])
    assert {u["organization_id"] for u in delegates} == {o.id for o in demo["organizations"].values()}
