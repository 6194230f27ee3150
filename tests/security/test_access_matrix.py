"""Access matrix (issue 10): every route and every live event against every role, and no IDOR.

The roles are the seven of tests/security/access_roles.py: anonymous, the observer, a town-meeting
participant who joined with an access code, the delegate of an organization that owns nothing here,
the delegate whose organization authored the objects, the chair and the admin. Each has a Bearer token
(the participant's comes from `POST /api/v1/auth/code`, the way a code logs in).

What is shown, and why it matters:
- the access table (`RULES`) covers exactly the routes of `app.url_map`, and `SOCKET_RULES` exactly the
  events registered on /live: a new route or event fails here until someone decides who may call it;
- every refused (route, role) pair answers 401 or 403 (404 where the object does not exist for the
  caller, a redirect to the login page for an anonymous browser, a redirect with a flash message for
  the three pact forms that work that way), never 2xx or 5xx, and changes no row of any table and no
  audit entry (every table is hashed around each route's refusals): a refusal that still writes is
  the worst kind of bug;
- every allowed pair is not refused and does not fail (no 401/403/5xx): a permission check too strict
  locks the table's own members out of their work;
- objects of another organization (adhesion, signature, proposal, comment, amendment, draft, ballot
  on behalf of it) and of another meeting (a code of meeting X in meeting Y, an item, a speaker or a
  code named through the wrong meeting) are refused and left as they were;
- on /live, anonymous connections are refused, the chair's events and the ballot answer
  `{"ok": false, "error": {"code": "forbidden" | "not_entitled"}}` to whoever may not, and change nothing.

All of it runs on the demo table; a request is sent once per (route, role). The refused pass runs on
a fresh world before any allowed call, so the state it checks is the one the table describes.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.factories import bearer
from tests.security.access_roles import (
    ROLES, RULES, SOCKET_REFUSAL_CODES, SOCKET_RULES, World, allowed_roles, audit_length, build_world,
    changed_tables, form_data, is_api, ordered_for_allowed_calls, refused_roles, route_keys, socket_event,
    socket_event_names, table_fingerprints,
)

NS = "/live"


@pytest.fixture
def world(app, session, demo) -> World:
    return build_world(app, session, demo)


def engine() -> Any:
    return db.engine


# ---- the tables are complete ------------------------------------------------------------------------------

def test_every_route_of_the_app_is_in_the_access_table(app):
    routes = set(route_keys(app))
    unclassified = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert not unclassified, "routes nobody has classified (add them to RULES):\n" + "\n".join(unclassified)
    assert not stale, "rules for routes that no longer exist:\n" + "\n".join(stale)


def test_every_live_event_is_in_the_socket_table(app):
    events = socket_event_names()
    classified = {socket_event(key) for key in SOCKET_RULES}
    assert events - classified == set(), f"live events nobody has classified: {sorted(events - classified)}"
    assert classified - events == set(), f"rules for live events that do not exist: {sorted(classified - events)}"


# ---- HTTP ------------------------------------------------------------------------------------------------

def _body_text(response: Any) -> str:
    return " ".join(response.get_data(as_text=True)[:200].split())


def refusal_problem(response: Any, role: str, key: str) -> str | None:
    """Why `response` is not an acceptable refusal of `role` on `key`, or None."""
    rule = RULES[key]
    pattern = key.split(" ", 1)[1]
    status = response.status_code
    if status in (401, 403) or (status == 404 and rule.hidden):
        if is_api(pattern):
            error = (response.get_json(silent=True) or {}).get("error") or {}
            if not error.get("code"):
                return f"{status} without the error shape: {_body_text(response)}"
        return None
    if status == 302:
        location = response.headers.get("Location", "")
        if role == "anonymous" and not is_api(pattern) and "/auth/login" in location:
            return None
        if rule.flash_refusal:
            return None
        return f"302 to {location}"
    return f"{status}: {_body_text(response)}"


def refused_by_login(response: Any, key: str) -> bool:
    """An allowed call answered as a refusal: 401/403, or a page sending the caller to log in."""
    if response.status_code in (401, 403):
        return True
    return (response.status_code == 302 and not is_api(key.split(" ", 1)[1])
            and "/auth/login" in response.headers.get("Location", ""))


def test_refused_roles_get_401_or_403_and_nothing_changes(world):
    failures: list[str] = []
    before = table_fingerprints(engine())
    for key in (key for key in RULES if refused_roles(RULES[key].allowed)):
        for role in refused_roles(RULES[key].allowed):
            audit_before = audit_length(engine())
            response = world.send(role, key, RULES[key])
            problem = refusal_problem(response, role, key)
            if problem:
                failures.append(f"{key} as {role}: {problem}")
            if audit_length(engine()) != audit_before:
                failures.append(f"{key} as {role}: refused ({response.status_code}) but wrote to the audit log")
        after = table_fingerprints(engine())
        if changed := changed_tables(before, after):
            failures.append(f"{key}: refused calls changed the tables {changed}")
        before = after
    assert not failures, f"{len(failures)} refusals are wrong:\n" + "\n".join(failures)


def test_allowed_roles_are_never_refused(world):
    failures: list[str] = []
    for key in ordered_for_allowed_calls(list(RULES)):
        for role in allowed_roles(RULES[key].allowed):
            response = world.send(role, key, RULES[key])
            if refused_by_login(response, key) or response.status_code >= 500:
                failures.append(f"{key} as {role}: {response.status_code} {_body_text(response)}")
    assert not failures, f"{len(failures)} allowed calls failed:\n" + "\n".join(failures)


# ---- the live channel -----------------------------------------------------------------------------------

#: every role that can connect (anonymous connections are refused: test_anonymous_live_connections_are_refused)
LIVE_ROLES = tuple(role for role in ROLES if role != "anonymous")


def emit(client: Any, key: str, payload: dict) -> dict:
    return client.emit(socket_event(key), payload, namespace=NS, callback=True)


def test_anonymous_live_connections_are_refused(app):
    from tests.factories import socket_client

    assert not socket_client(app).is_connected(NS)
    assert not socket_client(app, token="not-a-token").is_connected(NS)


def test_refused_live_events_answer_a_permission_error_and_change_nothing(world):
    failures: list[str] = []
    clients = {role: world.socket(role) for role in LIVE_ROLES}
    before = table_fingerprints(engine())
    for key, rule in SOCKET_RULES.items():
        for role in refused_roles(rule.allowed | {"anonymous"}):
            ack = emit(clients[role], key, rule.payload(world))
            code = (ack.get("error") or {}).get("code") if isinstance(ack, dict) else None
            if not isinstance(ack, dict) or ack.get("ok") is not False or code not in SOCKET_REFUSAL_CODES:
                failures.append(f"{key} as {role}: {ack!r}")
        after = table_fingerprints(engine())
        if changed := changed_tables(before, after):
            failures.append(f"{key}: refused events changed the tables {changed}")
        before = after
    assert not failures, f"{len(failures)} live refusals are wrong:\n" + "\n".join(failures)


def test_allowed_live_events_are_not_refused(world):
    failures: list[str] = []
    clients = {role: world.socket(role) for role in LIVE_ROLES}
    for key, rule in SOCKET_RULES.items():
        for role in allowed_roles(rule.allowed):
            ack = emit(clients[role], key, rule.payload(world))
            code = (ack.get("error") or {}).get("code") if isinstance(ack, dict) else None
            if not isinstance(ack, dict) or code in SOCKET_REFUSAL_CODES | {"unauthorized", "internal_error"}:
                failures.append(f"{key} as {role}: {ack!r}")
    assert not failures, f"{len(failures)} allowed live events failed:\n" + "\n".join(failures)


# ---- IDOR: objects of another organization -----------------------------------------------------------------

def api(world: World, role: str, method: str, path: str, json: dict | None = None) -> Any:
    headers = bearer(world.token(role))
    return world.app.test_client().open(path, method=method, headers=headers, json=json if json is not None else {})


def form(world: World, role: str, path: str, fields: dict, prefix: str = "") -> Any:
    client = world.app.test_client()
    return client.post(path, headers=bearer(world.token(role)), data=form_data(fields, world.csrf_token(client), prefix))


def test_a_member_cannot_withdraw_another_organizations_adhesion(world, session):
    from app.organizations.models import Organization

    org = world.ids["member_organization"]
    before = table_fingerprints(engine())
    by_api = api(world, "other_member", "DELETE", f"/api/v1/organizations/{org}/adhesion", {"reason": "Ci ritiriamo."})
    by_page = form(world, "other_member", f"/organizations/{org}/withdrawal", {"reason": "Ci ritiriamo."})
    assert (by_api.status_code, by_page.status_code) == (403, 403)
    assert changed_tables(before, table_fingerprints(engine())) == []
    assert session.get(Organization, org).active_adhesion is not None


def test_a_member_signs_and_withdraws_only_for_its_own_organization(world, session):
    from app.pact.models import Pact
    from app.pact.services import active_signature, sign_pact

    pact, org = session.get(Pact, world.ids["pact"]), world.ids["member_organization"]
    sign_pact(session, world.users["member"], pact, 1, "Firmiamo.")
    session.commit()
    before = table_fingerprints(engine())
    for_them = api(world, "other_member", "POST", f"/api/v1/pacts/{pact.id}/signatures",
                   {"version": 1, "organization_id": org})
    # withdrawing names no organization: it can only ever act on the caller's own signature
    withdrawn = api(world, "other_member", "DELETE", f"/api/v1/pacts/{pact.id}/signatures", {})
    by_page = form(world, "other_member", f"/pacts/{pact.id}/signatures", {"action": "withdraw"})
    assert (for_them.status_code, for_them.get_json()["error"]["code"]) == (403, "not_own_organization")
    assert (withdrawn.status_code, withdrawn.get_json()["error"]["code"]) == (409, "not_signed")
    assert by_page.status_code == 302  # the page flashes the refusal
    assert changed_tables(before, table_fingerprints(engine())) == []
    assert active_signature(session, pact, org) is not None


def test_another_organizations_proposal_comment_and_amendments_cannot_be_changed(world):
    ids = world.ids
    before = table_fingerprints(engine())
    calls = {
        "edit the proposal": api(world, "other_member", "PATCH", f"/api/v1/proposals/{ids['proposal']}",
                                 {"body": "Testo riscritto.", "reason": "Lo riscriviamo noi."}),
        "edit the proposal (page)": form(world, "other_member", f"/proposals/{ids['proposal']}/edit",
                                         {"title": "Titolo", "body": "Testo riscritto.", "reason": "Noi."}),
        "edit the comment": api(world, "other_member", "PATCH", f"/api/v1/comments/{ids['comment']}", {"body": "Riscritto."}),
        "edit the comment (page)": form(world, "other_member", f"/deliberation/comments/{ids['comment']}/edit",
                                        {"body": "Riscritto."}, prefix=f"edit-{ids['comment']}"),
        "withdraw the amendment": api(world, "other_member", "POST", f"/api/v1/amendments/{ids['amendment']}/withdraw", {}),
        "submit the draft amendment": api(world, "other_member", "POST",
                                          f"/api/v1/amendments/{ids['draft_amendment']}/submit", {}),
        "read the draft amendment": api(world, "other_member", "GET", f"/api/v1/amendments/{ids['draft_amendment']}"),
        "withdraw the request to speak": api(world, "other_member", "POST",
                                             f"/api/v1/meetings/{ids['meeting']}/speakers/{ids['speaker']}/withdraw", {}),
        "check in someone else": api(world, "other_member", "POST", f"/api/v1/meetings/{ids['meeting']}/presence",
                                     {"user_id": ids["member_user"]}),
        "put someone else on the list": api(world, "other_member", "POST", f"/api/v1/meetings/{ids['meeting']}/speakers",
                                            {"user_id": ids["bystander"]}),
    }
    statuses = {name: response.status_code for name, response in calls.items()}
    assert statuses == {
        "edit the proposal": 403, "edit the proposal (page)": 403, "edit the comment": 403,
        "edit the comment (page)": 403, "withdraw the amendment": 403, "submit the draft amendment": 404,
        "read the draft amendment": 404, "withdraw the request to speak": 403, "check in someone else": 403,
        "put someone else on the list": 403,
    }
    assert changed_tables(before, table_fingerprints(engine())) == []


def test_another_organizations_draft_proposal_is_invisible(world, demo):
    draft = demo["proposals"]["formazione"]  # a draft of UniBo
    for role in ("other_member", "member", "observer", "participant"):
        assert api(world, role, "GET", f"/api/v1/proposals/{draft.id}").status_code == 404, role
        assert api(world, role, "GET", f"/api/v1/proposals/{draft.id}/comments").status_code == 404, role
        ack = emit(world.socket(role), "subscribe", {"topic": f"proposal:{draft.id}"})
        assert ack["ok"] is False and ack["error"]["code"] == "subject_not_found", (role, ack)
    assert draft.id not in {p["id"] for p in api(world, "other_member", "GET", "/api/v1/proposals").get_json()}
    from app.auth.services import issue_token

    unibo = demo["users"]["delegate:unibo"]
    token = issue_token(world.session, unibo)
    world.session.commit()
    own = world.app.test_client().get(f"/api/v1/proposals/{draft.id}", headers=bearer(token))
    assert own.status_code == 200  # the same request by its own organization: the refusals above are not a broken route


def test_a_ballot_on_behalf_of_an_organization_that_did_not_delegate_is_refused(world, session):
    from app.meetings.models import Meeting
    from app.votes.models import VoteRecord
    from app.votes.services import create_poll, create_proxy, open_poll

    chair, ids = world.users["chair"], world.ids
    principal, delegate = ids["member_organization"], ids["other_organization"]
    # a proxy for the town meeting only: it does not reach a poll of the first meeting, nor one of no meeting
    create_proxy(session, chair, session.get(Meeting, ids["meeting"]), principal_id=principal, delegate_id=delegate)
    other_meeting_poll = open_poll(session, chair, create_poll(session, chair, title="Voto del primo incontro",
                                                               kind="yesno", meeting_id=ids["first_meeting"]))
    town_poll = open_poll(session, chair, create_poll(session, chair, title="Voto del town meeting", kind="yesno",
                                                      meeting_id=ids["meeting"]))
    session.commit()
    before = table_fingerprints(engine())
    no_meeting = api(world, "other_member", "POST", f"/api/v1/polls/{ids['open_poll']}/ballots",
                     {"choice": ids["open_poll_option"], "on_behalf_of": principal})
    wrong_meeting = api(world, "other_member", "POST", f"/api/v1/polls/{other_meeting_poll.id}/ballots",
                        {"choice": "yes", "on_behalf_of": principal})
    live = emit(world.socket("other_member"), "cast_ballot",
                {"poll_id": other_meeting_poll.id, "choice": "yes", "on_behalf_of": principal})
    assert [r.get_json()["error"]["code"] for r in (no_meeting, wrong_meeting)] == ["not_entitled", "not_entitled"]
    assert (no_meeting.status_code, wrong_meeting.status_code) == (403, 403)
    assert live["ok"] is False and live["error"]["code"] == "not_entitled"
    assert changed_tables(before, table_fingerprints(engine())) == []
    # where the delegation holds, the same ballot counts for the principal: the refusals above were about the proxy
    held = api(world, "other_member", "POST", f"/api/v1/polls/{town_poll.id}/ballots",
               {"choice": "yes", "on_behalf_of": principal})
    assert held.status_code == 201
    assert session.scalar(sa.select(VoteRecord.voter_key).where(VoteRecord.poll_id == town_poll.id)) == \
        f"organization:{principal}"


# ---- IDOR: objects of another meeting --------------------------------------------------------------------

def another_town_meeting_poll(session: Any, chair: Any) -> Any:
    """An open per-person poll of a second town meeting, whose roll is that meeting's own participants."""
    import datetime as dt

    from app.meetings.access_codes import create_access_codes, redeem_access_code
    from app.meetings.services import create_meeting
    from app.votes.services import create_poll, open_poll

    other = create_meeting(session, chair, title="Secondo town meeting",
                           starts_at=dt.datetime(2020, 7, 4, 7, 30, tzinfo=dt.timezone.utc))
    [(_row, code)] = create_access_codes(session, chair, other, 1)
    redeem_access_code(session, code)
    poll = open_poll(session, chair, create_poll(session, chair, title="Voto per persona", kind="yesno",
                                                 meeting_id=other.id, electorate="people"))
    session.commit()
    return poll


def test_a_participant_code_opens_only_its_own_meeting(world, session):
    chair, ids = world.users["chair"], world.ids
    first, town = ids["first_meeting"], ids["meeting"]
    people_poll = another_town_meeting_poll(session, chair)
    before = table_fingerprints(engine())
    statuses = {
        "snapshot": api(world, "participant", "GET", f"/api/v1/meetings/{first}").status_code,
        "page": world.app.test_client().get(f"/meetings/{first}", headers=bearer(world.token("participant"))).status_code,
        "speakers": api(world, "participant", "GET", f"/api/v1/meetings/{first}/speakers").status_code,
        "check in": api(world, "participant", "POST", f"/api/v1/meetings/{first}/presence", {}).status_code,
        "ask to speak": api(world, "participant", "POST", f"/api/v1/meetings/{first}/speakers", {}).status_code,
        "ballot": api(world, "participant", "POST", f"/api/v1/polls/{people_poll.id}/ballots", {"choice": "yes"}).status_code,
    }
    assert statuses == {"snapshot": 403, "page": 403, "speakers": 403, "check in": 403, "ask to speak": 403, "ballot": 403}
    client = world.socket("participant")
    for event, payload in (("join_meeting", {"meeting_id": first}), ("resync", {"meeting_id": first, "since": 0}),
                           ("check_in", {"meeting_id": first}), ("request_to_speak", {"meeting_id": first})):
        ack = emit(client, event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    assert changed_tables(before, table_fingerprints(engine())) == []
    listed = api(world, "participant", "GET", "/api/v1/meetings").get_json()
    assert [m["id"] for m in listed] == [town]
    assert emit(client, "join_meeting", {"meeting_id": town})["ok"] is True  # its own meeting opens


def test_objects_of_another_meeting_are_not_found_through_this_one(world, session):
    from app.meetings.models import AgendaItem, Meeting
    from app.meetings.services import open_meeting

    chair, ids = world.users["chair"], world.ids
    first, town = ids["first_meeting"], ids["meeting"]
    open_meeting(session, chair, session.get(Meeting, first))
    session.commit()
    first_items = list(session.scalars(sa.select(AgendaItem.id).where(AgendaItem.meeting_id == first)))
    before = table_fingerprints(engine())
    statuses = {
        "current item of another meeting": api(world, "chair", "POST", f"/api/v1/meetings/{town}/current-item",
                                               {"item_id": first_items[0]}).status_code,
        "agenda order with another meeting's items": api(world, "chair", "POST", f"/api/v1/meetings/{town}/agenda/order",
                                                         {"item_ids": first_items}).status_code,
        "speaker through another meeting": api(world, "chair", "POST",
                                               f"/api/v1/meetings/{first}/speakers/{ids['speaker']}/start", {}).status_code,
        "code through another meeting (page)": form(world, "chair",
                                                    f"/meetings/{first}/codes/{ids['spare_code']}/revoke", {}).status_code,
        "this meeting's participant checked in there": api(world, "chair", "POST", f"/api/v1/meetings/{first}/presence",
                                                          {"user_id": world.users["participant"].id}).status_code,
        "this meeting's participant put on its list": api(world, "chair", "POST", f"/api/v1/meetings/{first}/speakers",
                                                         {"user_id": world.users["participant"].id}).status_code,
    }
    ack = emit(world.socket("chair"), "give_floor", {"meeting_id": first, "speaker_id": ids["speaker"]})
    assert statuses == {"current item of another meeting": 404, "agenda order with another meeting's items": 422,
                        "speaker through another meeting": 404, "code through another meeting (page)": 404,
                        "this meeting's participant checked in there": 404,
                        "this meeting's participant put on its list": 404}
    assert ack["ok"] is False and ack["error"]["code"] == "not_found", ack
    assert changed_tables(before, table_fingerprints(engine())) == []


def test_a_reply_cannot_hang_under_a_comment_of_another_text(world, demo):
    before = table_fingerprints(engine())
    other_text = demo["proposals"]["cer"].id
    response = api(world, "member", "POST", f"/api/v1/proposals/{other_text}/comments",
                   {"body": "Rispondo.", "parent_id": world.ids["comment"]})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "parent_not_found"
    assert changed_tables(before, table_fingerprints(engine())) == []


def test_a_clause_is_endorsed_only_through_its_own_pact(world, session):
    from app.pact.services import import_pact

    second = import_pact(session, world.users["chair"], "Secondo patto", "# Sezione\n\n## Articolo\n\nTesto.\n")
    session.commit()
    before = table_fingerprints(engine())
    clause = world.ids["clause"]
    response = form(world, "member", f"/pacts/{second.id}/clauses/{clause}/endorsement", {"position": "endorse"},
                    prefix=f"c{clause}")
    assert response.status_code == 404
    assert changed_tables(before, table_fingerprints(engine())) == []
