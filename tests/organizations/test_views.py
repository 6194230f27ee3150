"""Organization pages: the table's coverage by category, the detail page and its adhesion forms."""
from __future__ import annotations

import re

import pytest

from app.organizations.models import Adhesion
from app.organizations.services import withdraw
from tests.factories import audit_actions, count_rows, csrf_token, login, make_org, make_user


def coverage_rows(html: str) -> dict[str, tuple[str, str]]:
    """{category label: (presente|manca, organizations)} from the coverage table."""
    table = html[html.index('data-testid="coverage"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>.*?>(presente|manca)<.*?</td>\s*<td>(.*?)</td>', table, re.S)
    return {label: (state, members) for label, state, members in rows}


@pytest.fixture
def table(session):
    make_org(session, name="Coop Sociale Il Sorriso", category="terzo_settore")
    gone = make_org(session, name="FIOM Imola", category="sindacato")
    withdraw(session, make_user(session, role="admin"), gone, "Usciti")
    session.commit()
    make_org(session, name="Museo diocesano", category="cultura", adhered=False)
    return session


def test_index_shows_present_and_missing_categories(client, table):
    response = client.get("/organizations")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = coverage_rows(html)
    assert len(rows) == 8
    assert rows["Terzo settore e volontariato"] == ("presente", "Coop Sociale Il Sorriso")
    assert rows["Sindacato"][0] == "manca"  # withdrew: no longer at the table
    assert rows["Cultura"][0] == "manca"  # never adhered
    assert all(state == "manca" for label, (state, _m) in rows.items() if label != "Terzo settore e volontariato")
    assert "Il Tavolo di Negoziazione" in html and "<caption>" in html
    assert "non aderisce" in html and "FIOM Imola" in html and "Museo diocesano" in html


def test_detail_anonymous_sees_history_without_forms(client, table, session):
    org = make_org(session, name="Legambiente Imola", category="comitato")
    html = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "Legambiente Imola" in html and "Comitato" in html
    assert "Aderisce dal" in html and "Storia delle adesioni" in html
    assert "Ritira l'adesione" not in html and "Aderisci al tavolo" not in html


def test_detail_unknown_is_404_page(client):
    response = client.get("/organizations/999999")
    assert response.status_code == 404
    assert "Organizzazione non trovata." in response.get_data(as_text=True)


def test_representative_adheres_and_withdraws_through_forms(client, session):
    org = make_org(session, name="Pro Loco Dozza", category="cultura", adhered=False)
    delegate = make_user(session, role="member", organization=org, name="Delegata Dozza")
    login(client, delegate)
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "Non aderisce al tavolo." in page and "Aderisci al tavolo" in page
    assert '<label for="statement"' in page

    token = csrf_token(client, f"/organizations/{org.id}")
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "Ci siamo", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "Adesione al tavolo registrata." in page and "Aderisce dal" in page
    assert "firmata da Delegata Dozza: «Ci siamo»" in page and "Ritira l'adesione" in page

    response = client.post(f"/organizations/{org.id}/withdrawal", data={"reason": "Fine mandato", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "Ritiro dal tavolo registrato." in page and "Ritirata il" in page and "«Fine mandato»" in page
    assert "Aderisci al tavolo" in page
    assert audit_actions(session)[-2:] == ["organizations.adhesion.created", "organizations.adhesion.withdrawn"]


def test_admin_sees_forms_of_any_organization(client, session):
    org = make_org(session, name="Qualsiasi", adhered=False)
    login(client, make_user(session, role="admin"))
    assert "Aderisci al tavolo" in client.get(f"/organizations/{org.id}").get_data(as_text=True)


def test_forms_without_csrf_change_nothing(client, session):
    org = make_org(session, name="Senza token", adhered=False)
    login(client, make_user(session, role="member", organization=org))
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "x"})
    assert response.status_code == 400
    assert "Il modulo è scaduto o non è valido" in response.get_data(as_text=True)
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "x", "csrf_token": "falso"})
    assert response.status_code == 400
    assert count_rows(session, Adhesion) == 0


def test_other_member_refused_with_403_page(client, session):
    org = make_org(session, name="Non mia", adhered=False)
    login(client, make_user(session, role="member"))
    page = client.get(f"/organizations/{org.id}").get_data(as_text=True)
    assert "Aderisci al tavolo" not in page
    token = csrf_token(client, f"/organizations/{org.id}")
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "x", "csrf_token": token})
    assert response.status_code == 403
    assert "Non hai i permessi" in response.get_data(as_text=True)
    assert count_rows(session, Adhesion, Adhesion.organization_id == org.id) == 0


def test_anonymous_post_goes_to_login(client, session):
    org = make_org(session, name="Anonimo", adhered=False)
    token = csrf_token(client, "/auth/login")
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "x", "csrf_token": token})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert count_rows(session, Adhesion) == 0


def test_duplicate_adhesion_form_409_page(client, session):
    org = make_org(session, name="Doppia")
    login(client, make_user(session, role="admin"))
    token = csrf_token(client, f"/organizations/{org.id}")
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "ancora", "csrf_token": token})
    assert response.status_code == 409
    assert "L&#39;organizzazione aderisce già al tavolo." in response.get_data(as_text=True)
    assert count_rows(session, Adhesion) == 1


def test_too_long_statement_422(client, session):
    org = make_org(session, name="Prolissa", adhered=False)
    login(client, make_user(session, role="admin"))
    token = csrf_token(client, f"/organizations/{org.id}")
    response = client.post(f"/organizations/{org.id}/adhesion", data={"statement": "x" * 5001, "csrf_token": token})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count_rows(session, Adhesion) == 0


def test_withdraw_form_when_not_adhered_409(client, session):
    org = make_org(session, name="Mai", adhered=False)
    login(client, make_user(session, role="admin"))
    token = csrf_token(client, f"/organizations/{org.id}")
    response = client.post(f"/organizations/{org.id}/withdrawal", data={"reason": "", "csrf_token": token})
    assert response.status_code == 409
    assert "non aderisce al tavolo" in response.get_data(as_text=True)
