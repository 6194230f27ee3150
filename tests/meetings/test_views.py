"""Meeting pages: Italian text, the right controls for each role, CSRF, permissions, the demo."""
from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.meetings.models import AgendaItem, Meeting
from tests.factories import csrf_token
from tests.meetings.factories import log_in, make_chair, make_meeting, make_participant, person

CONSOLE_CONTROLS = ["Rendi corrente", "Sposta su", "Sposta giù", "Dai la parola", "Termina l'intervento",
                    "Chiudi la lista", "Riapri la lista", "Segna presente", "Aggiungi il punto", "Codici di accesso",
                    "Tempi di parola", "Presenze e numero legale"]


class Page(str):
    """The HTML of a page; `in` also finds text whose apostrophes were escaped (&#39;)."""

    def __contains__(self, text: object) -> bool:
        return str.__contains__(self, text) or str.__contains__(unescape(str(self)), text)


def page(client, path, status=200) -> Page:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return Page(response.get_data(as_text=True))


def no_inline_scripts(html: str) -> bool:
    return not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and not re.search(r"\son[a-z]+=", html)


def snapshot_of(html: str) -> dict:
    return json.loads(unescape(re.search(r'data-snapshot="([^"]*)"', html).group(1)))


def test_meetings_list_and_create_form_for_the_chair(client, session):
    chair = make_chair(session)
    make_meeting(session, chair, title="Primo incontro")
    html = page(client, "/meetings")
    assert "Incontri del tavolo" in html and "Primo incontro" in html and "Nuovo incontro" not in html
    log_in(client, chair)
    html = page(client, "/meetings")
    assert "Nuovo incontro" in html and 'name="starts_at"' in html and "Crea l'incontro" in html


def test_the_chair_creates_a_meeting_in_local_time(client, session):
    chair = make_chair(session)
    log_in(client, chair)
    token = csrf_token(client, "/meetings")
    response = client.post("/meetings", data={"title": "Secondo incontro", "starts_at": "2030-01-20T15:30",
                                              "place": "Imola", "csrf_token": token})
    assert response.status_code == 302 and "/console" in response.headers["Location"]
    meeting = session.scalar(sa.select(Meeting).where(Meeting.title == "Secondo incontro"))
    assert meeting.starts_at == dt.datetime(2030, 1, 20, 14, 30, tzinfo=dt.timezone.utc)  # 15:30 in Rome


def test_creating_needs_the_chair_and_a_csrf_token(client, session):
    log_in(client, person(session, "member"))
    token = csrf_token(client, "/meetings")
    data = {"title": "X", "starts_at": "2030-01-20T15:30", "csrf_token": token}
    assert client.post("/meetings", data=data).status_code == 403
    log_in(client, make_chair(session))
    assert client.post("/meetings", data={**data, "csrf_token": "wrong"}).status_code == 400
    assert client.post("/meetings", data={"title": "", "starts_at": "", "csrf_token": csrf_token(client, "/meetings")}).status_code == 422
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_participant_view_for_a_member(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    log_in(client, person(session, "member"))
    html = page(client, f"/meetings/{meeting.id}")
    for text in ("Punto in discussione", "Ordine del giorno", "Chiedi la parola", "Mozione d'ordine", "Replica",
                 "Registra la mia presenza", "Nessuna votazione in corso.", "Collegamento in corso"):
        assert text in html, text
    assert '<section id="live-vote"' in html and 'data-view="participant"' in html
    assert 'aria-live="polite"' in html and "data-live-status" in html
    assert "Apri la console della presidenza" not in html
    assert no_inline_scripts(html) and "js/meetings.js" in html and "socket.io.min.js" in html
    assert snapshot_of(html)["id"] == meeting.id


def test_participant_view_for_the_chair_links_the_console(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    log_in(client, chair)
    html = page(client, f"/meetings/{meeting.id}")
    assert "Apri la console della presidenza" in html and "Schermo per la sala" in html


def test_observers_follow_but_do_not_ask_for_the_floor(client, session):
    meeting = make_meeting(session, status="open")
    log_in(client, person(session, "observer"))
    html = page(client, f"/meetings/{meeting.id}")
    assert "Chi ha la parola" in html and "Registra la mia presenza" in html
    assert "data-speak-form" not in html


def test_town_meeting_participants_see_only_their_meeting(client, session):
    chair = make_chair(session)
    town = make_meeting(session, chair, title="Town meeting", status="open")
    other = make_meeting(session, chair, title="Tavolo riservato")
    participant, _code = make_participant(session, town, chair)
    log_in(client, participant)
    html = page(client, f"/meetings/{town.id}")
    assert "Chiedi la parola" in html and "Town meeting" in html
    page(client, f"/meetings/{other.id}", 403)
    page(client, f"/meetings/{other.id}/projector", 403)
    page(client, f"/meetings/{town.id}/console", 403)
    assert "Tavolo riservato" not in page(client, "/meetings")


def test_console_for_the_chair(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    member = person(session, "member", name="Delegata Prova")
    log_in(client, chair)
    html = page(client, f"/meetings/{meeting.id}/console")
    for text in CONSOLE_CONTROLS:
        assert text in html, text
    assert "Delegata Prova" in html and 'data-view="console"' in html and '<section id="live-vote"' in html
    assert 'data-can-run="true"' in html and no_inline_scripts(html)
    assert f'href="/meetings/{meeting.id}/codes"' in html
    # every field labelled, and ids unique
    ids = re.findall(r'\sid="([^"]+)"', html.split("<template")[0])
    assert len(ids) == len(set(ids))
    visible = [tag for tag in re.findall(r"<input[^>]*>", html) if 'type="hidden"' not in tag]
    for field_id in (re.search(r'id="([^"]+)"', tag).group(1) for tag in visible):
        assert f'for="{field_id}"' in html, field_id


@pytest.mark.parametrize("role", ["member", "observer"])
def test_console_is_for_the_chair_only(client, session, role):
    meeting = make_meeting(session)
    log_in(client, person(session, role))
    page(client, f"/meetings/{meeting.id}/console", 403)


def test_pages_need_a_login(client, session):
    meeting = make_meeting(session)
    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/console", f"/meetings/{meeting.id}/projector",
                 f"/meetings/{meeting.id}/codes"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_projector_has_no_controls(client, session, role):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    log_in(client, chair if role == "chair" else person(session, "observer"))
    html = page(client, f"/meetings/{meeting.id}/projector")
    root = html[html.index('id="meeting-live"'):]
    assert "Punto in discussione" in html and "Prossimi interventi" in html and "Chi ha la parola" in html
    assert 'data-view="projector"' in html and '<section id="live-vote"' in html
    assert "<form" not in root and "<button" not in root and "data-action" not in root


def test_html_open_close_and_agenda_forms(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    log_in(client, chair)
    console = f"/meetings/{meeting.id}/console"
    assert client.post(f"/meetings/{meeting.id}/open", data={}).status_code == 400  # no CSRF token
    token = csrf_token(client, console)
    assert client.post(f"/meetings/{meeting.id}/open", data={"csrf_token": token}).status_code == 302
    response = client.post(f"/meetings/{meeting.id}/agenda", data={
        "title": "Varie ed eventuali", "duration": "5", "ref": "", "csrf_token": token})
    assert response.status_code == 302
    assert client.post(f"/meetings/{meeting.id}/close", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    stored = session.get(Meeting, meeting.id)
    assert stored.status == "closed"
    assert session.scalar(sa.select(AgendaItem.title).where(AgendaItem.position == 3, AgendaItem.meeting_id == meeting.id)) == "Varie ed eventuali"
    log_in(client, person(session, "member"))
    assert client.post(f"/meetings/{meeting.id}/close", data={"csrf_token": csrf_token(client, "/meetings")}).status_code == 403


def test_pages_in_english_on_request(client, session):
    meeting = make_meeting(session)
    log_in(client, person(session, "member"))
    assert client.get(f"/meetings/{meeting.id}?lang=en").status_code == 200


def test_demo_has_the_first_meeting_and_a_town_meeting_with_working_codes(app, session, client):
    """`flask seed-demo` (run twice: idempotent) prints the demo codes, which then open the town meeting."""
    from app.meetings.demo import DEMO_CODES, FIRST_MEETING_TITLE, TOWN_MEETING_TITLE
    from app.meetings.models import AccessCode

    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    assert "DEMO-0001" in result.output
    session.expire_all()
    first = session.scalar(sa.select(Meeting).where(Meeting.title == FIRST_MEETING_TITLE))
    assert [i.title for i in first.items] == ["Condivisione del percorso", "Adesione al TdN",
                                              "Sostegno alla promozione delle attività"]
    town = session.scalar(sa.select(Meeting).where(Meeting.title == TOWN_MEETING_TITLE))
    assert town.starts_at.year == 2020
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 2
    assert session.scalar(sa.select(sa.func.count(AccessCode.id)).where(AccessCode.meeting_id == town.id)) == len(DEMO_CODES)
    response = client.post("/api/v1/auth/code", json={"code": DEMO_CODES[0].lower()})
    assert response.status_code == 200 and response.get_json()["meeting_id"] == town.id


def test_home_page_shows_the_meeting_in_course(client, session):
    from app.process.models import Process

    session.add(Process(slug="prova", name="Percorso di prova"))
    session.commit()
    chair = make_chair(session)
    make_meeting(session, chair, title="Incontro in corso", status="open")
    make_meeting(session, chair, title="Incontro futuro")
    html = page(client, "/")
    assert "Incontro in corso" in html and "in corso" in html and "Incontro futuro" in html
