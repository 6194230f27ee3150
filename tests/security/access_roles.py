"""The roles, the demo world they act on, and the declarative access table of issue 10's matrix test.

`RULES` says, for every HTTP route of the app (method + URL pattern, `any(...)` segments expanded to
one entry per value), which of the seven `ROLES` may call it, with the minimal valid body that
reaches the permission check. `SOCKET_RULES` does the same for the /live events. `World` builds the
objects the calls name (on top of the demo table) and sends one request or event as one role.
tests/security/test_access_matrix.py runs the table; this module holds no assertion.

A body must be valid: request schemas are checked before permissions, so an invalid body would be a
422 for everybody and hide a missing permission check.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

# ---- roles -------------------------------------------------------------------------------------------

#: anonymous; the observer; a town-meeting participant who joined with a code; the delegate of an
#: organization that owns nothing in the world ("member of another organization"); the delegate of
#: the organization that authored the world's objects; the chair; the secretariat (admin)
ROLES = ("anonymous", "observer", "participant", "other_member", "member", "chair", "admin")

Roles = frozenset[str]
EVERYONE: Roles = frozenset(ROLES)
SIGNED_IN: Roles = EVERYONE - {"anonymous"}
#: accounts that take part in the deliberation (app.deliberation.permissions.PARTICIPATING_ROLES)
TABLE: Roles = frozenset({"other_member", "member", "chair", "admin"})
#: who reads the DocPP while it is a draft (domain.md: the table validates it; observers verify)
DRAFT_DOCPP_READERS: Roles = TABLE | {"observer"}
CHAIRS: Roles = frozenset({"chair", "admin"})  # "admins may do whatever a chair does" (app.auth.models)
ADMINS: Roles = frozenset({"admin"})
#: representatives of an organization: they vote, endorse, sign and support for it
REPRESENTATIVES: Roles = frozenset({"other_member", "member"})
AUTHOR: Roles = frozenset({"member"})
AUTHOR_OR_CHAIRS: Roles = AUTHOR | CHAIRS
#: "join the table; by its representative or admin" (interface.md)
OWN_ORGANIZATION_OR_ADMIN: Roles = frozenset({"member", "admin"})
#: who may ask for the floor (observers watch and verify)
SPEAKERS: Roles = SIGNED_IN - {"observer"}
#: who may report a comment: the table, except its author
FLAGGERS: Roles = TABLE - AUTHOR

#: the demo accounts behind the named roles (keys of demo["users"])
DEMO_ACCOUNTS = {
    "observer": "observer", "other_member": "delegate:cisl", "member": "delegate:confartigianato",
    "chair": "chair", "admin": "admin",
}
#: the town-meeting code the participant joins with (app.meetings.demo.DEMO_CODES)
PARTICIPANT_CODE = "DEMO-0001"
#: a code of the same meeting nobody uses: the one the chair revokes
SPARE_CODE_NUMBER = 8


# ---- the table ------------------------------------------------------------------------------------------

Body = Mapping[str, Any] | Callable[["World"], Mapping[str, Any]]


@dataclass(frozen=True)
class Rule:
    """Who may call one route, and how to call it."""

    allowed: Roles
    #: JSON body (API) or form fields (pages, without the CSRF token, which is added), or a function of the world
    body: Body | None = None
    #: path parameter → key of World.ids, where the default object does not fit
    ids: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    #: a refused caller may also get 404: the object does not exist for them (drafts, hidden records)
    hidden: bool = False
    #: an HTML form that answers a refusal with a redirect and a flash message instead of an error page
    flash_refusal: bool = False
    #: run after the other allowed calls (1, then 2): it ends something the others need (meeting, adhesion)
    late: int = 0
    #: send with a token of its own: the call revokes the token it is made with
    fresh_token: bool = False
    #: the page's form prefix (path parameters in braces): every field, the CSRF token too, is "<prefix>-<name>"
    prefix: str = ""


def R(allowed: Roles, **kw: Any) -> Rule:
    return Rule(allowed=frozenset(allowed), **kw)


def _unique(prefix: str) -> str:
    return f"{prefix}-{os.urandom(4).hex()}"


def text(_world: "World | None" = None) -> dict[str, str]:
    """A new text and its reason: each call differs, so no edit is refused as `no_change`."""
    return {"body": f"Testo proposto per la prova di accesso {_unique('n.')}.", "reason": "Motivo della prova di accesso."}
MARKDOWN_PACT = "# Sezione\n\n## Articolo di prova\n\nTesto dell'articolo.\n"

#: key: "METHOD pattern" as route_keys() spells it. The allowed pass calls them in this order (`late` last)
RULES: dict[str, Rule] = {
    # --- authentication and accounts
    "POST /api/v1/auth/token": R(EVERYONE, body=lambda w: {"email": w.users["observer"].email, "password": w.password}),
    "DELETE /api/v1/auth/token": R(EVERYONE, fresh_token=True),
    "POST /api/v1/auth/code": R(EVERYONE, body={"code": PARTICIPANT_CODE}),
    "GET /api/v1/me": R(SIGNED_IN),
    "GET /api/v1/users": R(CHAIRS),
    "POST /api/v1/users": R(ADMINS, body=lambda w: {"email": f"{_unique('nuova')}@example.test", "name": "Nuova",
                                                     "role": "observer"}),
    "POST /api/v1/invitations": R(ADMINS, body=lambda w: {"email": f"{_unique('invito')}@example.test",
                                                           "name": "Invitata", "role": "observer"}),
    "GET /auth/login": R(EVERYONE),
    "POST /auth/login": R(EVERYONE, body=lambda w: {"email": w.users["observer"].email, "password": w.password}),
    "POST /auth/logout": R(SIGNED_IN),
    "GET /auth/invite/<token>": R(EVERYONE),
    "POST /auth/invite/<token>": R(EVERYONE, body={"password": "una-password-nuova-1", "confirm": "una-password-nuova-1"}),
    "GET /auth/users": R(CHAIRS),
    "POST /auth/users": R(ADMINS, body=lambda w: {"name": "Invitata", "email": f"{_unique('invito')}@example.org",
                                                   "role": "observer", "organization_id": "0", "member_kind": "delegate"}),
    # --- the process, public records, open data
    "GET /": R(EVERYONE),
    "GET /accessibilita": R(EVERYONE),
    "GET /lang/<code>": R(EVERYONE, ids={"code": "language"}),
    "GET /static/<path:filename>": R(EVERYONE),
    "GET /api/v1/openapi.json": R(EVERYONE),
    "GET /api/v1/process": R(EVERYONE),
    "GET /api/v1/axes": R(EVERYONE),
    "GET /api/v1/audit": R(EVERYONE),
    "GET /api/v1/audit.jsonl": R(EVERYONE),
    "GET /api/v1/audit/verify": R(EVERYONE),
    "GET /audit": R(EVERYONE),
    "GET /api/v1/export.zip": R(EVERYONE),
    "GET /api/v1/decisions": R(EVERYONE),
    "GET /decisions": R(EVERYONE),
    # --- organizations and adhesions
    "GET /api/v1/organizations": R(EVERYONE),
    "POST /api/v1/organizations": R(ADMINS, body=lambda w: {"name": _unique("Associazione"), "category": "terzo_settore"}),
    "GET /api/v1/organizations/<int:organization_id>": R(EVERYONE),
    "GET /api/v1/organizations/<int:organization_id>/adhesions": R(EVERYONE),
    "POST /api/v1/organizations/<int:organization_id>/adhesion": R(OWN_ORGANIZATION_OR_ADMIN, body={"statement": "Aderiamo."}),
    "DELETE /api/v1/organizations/<int:organization_id>/adhesion": R(OWN_ORGANIZATION_OR_ADMIN, body={"reason": "Prova."}, late=1),
    "GET /organizations": R(EVERYONE),
    "GET /organizations/<int:organization_id>": R(EVERYONE),
    "POST /organizations/<int:organization_id>/adhesion": R(OWN_ORGANIZATION_OR_ADMIN, body={"statement": "Aderiamo."}),
    "POST /organizations/<int:organization_id>/withdrawal": R(OWN_ORGANIZATION_OR_ADMIN, body={"reason": "Prova."}, late=1),
    # --- proposals
    "GET /api/v1/proposals": R(EVERYONE),
    "POST /api/v1/proposals": R(TABLE, body=lambda w: {"title": "Proposta di prova", "body": text()["body"],
                                                        "axis_id": w.ids["axis"]}),
    "GET /api/v1/proposals/<int:proposal_id>": R(EVERYONE),
    "PATCH /api/v1/proposals/<int:proposal_id>": R(AUTHOR_OR_CHAIRS, body=text),
    "POST /api/v1/proposals/<int:proposal_id>/status": R(CHAIRS, body={"status": "voting"}, late=1),
    "PUT /api/v1/proposals/<int:proposal_id>/support": R(REPRESENTATIVES),
    "DELETE /api/v1/proposals/<int:proposal_id>/support": R(REPRESENTATIVES),
    "GET /api/v1/proposals/<int:subject_id>/revisions": R(EVERYONE),
    "GET /api/v1/proposals/<int:subject_id>/diff": R(EVERYONE, query="?from=1&to=2"),
    "GET /api/v1/proposals/<int:subject_id>/comments": R(EVERYONE),
    "POST /api/v1/proposals/<int:subject_id>/comments": R(TABLE, body={"body": "Un commento di prova."}),
    "GET /api/v1/proposals/<int:subject_id>/amendments": R(EVERYONE),
    "POST /api/v1/proposals/<int:subject_id>/amendments": R(TABLE, body=text),
    "GET /proposals": R(EVERYONE),
    "GET /proposals/new": R(TABLE),
    "POST /proposals/new": R(TABLE, body=lambda w: {"title": "Proposta di prova", "axis_id": str(w.ids["axis"]),
                                                     "body": text()["body"]}),
    "GET /proposals/<int:proposal_id>": R(EVERYONE),
    "GET /proposals/<int:proposal_id>/edit": R(AUTHOR_OR_CHAIRS),
    "POST /proposals/<int:proposal_id>/edit": R(AUTHOR_OR_CHAIRS, body=lambda w: {"title": "Hub della logistica", **text()}),
    "POST /proposals/<int:proposal_id>/status": R(CHAIRS, body={"status": "voting"}, prefix="status", late=1),
    "POST /proposals/<int:proposal_id>/support": R(REPRESENTATIVES, prefix="support"),
    # --- comments and amendments of any subject
    "GET /api/v1/comments/<int:comment_id>": R(EVERYONE),
    "PATCH /api/v1/comments/<int:comment_id>": R(AUTHOR, body={"body": "Testo corretto."}),
    "GET /api/v1/comments/<int:comment_id>/edits": R(EVERYONE),
    "POST /api/v1/comments/<int:comment_id>/flags": R(FLAGGERS),
    "POST /api/v1/comments/<int:comment_id>/hide": R(CHAIRS, body={"reason": "Fuori tema."}, late=1),
    "GET /api/v1/amendments/<int:amendment_id>": R(EVERYONE),
    "POST /api/v1/amendments/<int:amendment_id>/submit": R(AUTHOR, ids={"amendment_id": "draft_amendment"}, hidden=True),
    "POST /api/v1/amendments/<int:amendment_id>/withdraw": R(AUTHOR, late=1),
    "POST /api/v1/amendments/<int:amendment_id>/accept": R(CHAIRS),
    "POST /api/v1/amendments/<int:amendment_id>/reject": R(CHAIRS, body={"reason": "Non condiviso."}),
    "POST /deliberation/<subject_type>/<int:subject_id>/comments": R(TABLE, body={"body": "Un commento."}, prefix="comment"),
    "POST /deliberation/<subject_type>/<int:subject_id>/amendments": R(TABLE, body=text, prefix="amend"),
    "POST /deliberation/comments/<int:comment_id>/replies": R(TABLE, body={"body": "Rispondo."}, prefix="reply-{comment_id}"),
    "POST /deliberation/comments/<int:comment_id>/edit": R(AUTHOR, body={"body": "Corretto."}, prefix="edit-{comment_id}"),
    "POST /deliberation/comments/<int:comment_id>/flag": R(FLAGGERS, prefix="flag-{comment_id}"),
    "POST /deliberation/comments/<int:comment_id>/hide": R(CHAIRS, body={"reason": "Fuori tema."}, prefix="hide-{comment_id}",
                                                           late=1),
    "POST /deliberation/amendments/<int:amendment_id>/submit": R(AUTHOR, ids={"amendment_id": "draft_amendment"}, hidden=True,
                                                                 prefix="submit-{amendment_id}"),
    "POST /deliberation/amendments/<int:amendment_id>/withdraw": R(AUTHOR, prefix="withdraw-{amendment_id}", late=1),
    "POST /deliberation/amendments/<int:amendment_id>/accept": R(CHAIRS, prefix="accept-{amendment_id}"),
    "POST /deliberation/amendments/<int:amendment_id>/reject": R(CHAIRS, body={"reason": "Non condiviso."},
                                                                 prefix="reject-{amendment_id}"),
    # --- the pact
    "GET /api/v1/pacts": R(EVERYONE),
    "POST /api/v1/pacts": R(CHAIRS, body={"title": "Secondo patto", "markdown": MARKDOWN_PACT}),
    "GET /api/v1/pacts/<int:pact_id>": R(EVERYONE),
    "GET /api/v1/pacts/<int:pact_id>/markdown": R(EVERYONE),
    "GET /api/v1/pacts/<int:pact_id>/endorsements": R(EVERYONE),
    "GET /api/v1/pacts/<int:pact_id>/versions": R(EVERYONE),
    "POST /api/v1/pacts/<int:pact_id>/versions": R(CHAIRS),
    "GET /api/v1/pacts/<int:pact_id>/versions/diff": R(EVERYONE, query="?from=1&to=1"),
    "GET /api/v1/pacts/<int:pact_id>/signatures": R(EVERYONE),
    "POST /api/v1/pacts/<int:pact_id>/signatures": R(REPRESENTATIVES, body={"version": 1}),
    "DELETE /api/v1/pacts/<int:pact_id>/signatures": R(REPRESENTATIVES),
    "GET /api/v1/clauses/<int:clause_id>": R(EVERYONE),
    "PATCH /api/v1/clauses/<int:clause_id>": R(CHAIRS, body=text),
    "PUT /api/v1/clauses/<int:clause_id>/endorsement": R(REPRESENTATIVES, body={"position": "endorse"}),
    "GET /api/v1/clauses/<int:subject_id>/revisions": R(EVERYONE),
    "GET /api/v1/clauses/<int:subject_id>/diff": R(EVERYONE, query="?from=1&to=1"),
    "GET /api/v1/clauses/<int:subject_id>/comments": R(EVERYONE),
    "POST /api/v1/clauses/<int:subject_id>/comments": R(TABLE, body={"body": "Un commento di prova."}),
    "GET /api/v1/clauses/<int:subject_id>/amendments": R(EVERYONE),
    "POST /api/v1/clauses/<int:subject_id>/amendments": R(TABLE, body=text),
    "GET /pacts": R(EVERYONE),
    "GET /pacts/<int:pact_id>": R(EVERYONE),
    "GET /pacts/<int:pact_id>/pact.pdf": R(EVERYONE),
    "GET /pacts/<int:pact_id>/versions/<int:number>/pact.pdf": R(EVERYONE),
    "POST /pacts/<int:pact_id>/versions": R(CHAIRS, flash_refusal=True),
    "POST /pacts/<int:pact_id>/signatures": R(REPRESENTATIVES, body={"version": "1"}, flash_refusal=True),
    "GET /pacts/<int:pact_id>/clauses/<int:clause_id>": R(EVERYONE),
    "GET /pacts/<int:pact_id>/clauses/<int:clause_id>/edit": R(CHAIRS),
    "POST /pacts/<int:pact_id>/clauses/<int:clause_id>/edit": R(CHAIRS, body=lambda w: {"title": "Articolo", **text()}),
    "POST /pacts/<int:pact_id>/clauses/<int:clause_id>/endorsement": R(
        REPRESENTATIVES, body={"position": "endorse"}, prefix="c{clause_id}", flash_refusal=True),
    # --- meetings
    "GET /api/v1/meetings": R(EVERYONE),
    "POST /api/v1/meetings": R(CHAIRS, body={"title": "Incontro di prova", "starts_at": "2030-05-04T08:00:00Z"}),
    "GET /api/v1/meetings/<int:meeting_id>": R(SIGNED_IN),
    "PATCH /api/v1/meetings/<int:meeting_id>": R(CHAIRS, body={"place": "Sala B"}),
    "POST /api/v1/meetings/<int:meeting_id>/open": R(CHAIRS),
    "POST /api/v1/meetings/<int:meeting_id>/close": R(CHAIRS, late=2),
    "POST /api/v1/meetings/<int:meeting_id>/agenda": R(CHAIRS, body={"title": "Varie ed eventuali"}),
    "POST /api/v1/meetings/<int:meeting_id>/agenda/order": R(CHAIRS, body=lambda w: {"item_ids": w.agenda_ids()[::-1]}),
    "PATCH /api/v1/agenda-items/<int:item_id>": R(CHAIRS, body={"title": "Titolo nuovo"}),
    "DELETE /api/v1/agenda-items/<int:item_id>": R(CHAIRS, late=1),
    "POST /api/v1/meetings/<int:meeting_id>/current-item": R(CHAIRS, body=lambda w: {"item_id": w.ids["next_item"]}),
    "POST /api/v1/meetings/<int:meeting_id>/presence": R(SIGNED_IN),
    "GET /api/v1/meetings/<int:meeting_id>/speakers": R(SIGNED_IN),
    "POST /api/v1/meetings/<int:meeting_id>/speakers": R(SPEAKERS, body={"kind": "contribution"}),
    "POST /api/v1/meetings/<int:meeting_id>/speakers/<int:speaker_id>/start": R(CHAIRS, ids={"speaker_id": "floor_request"}),
    "POST /api/v1/meetings/<int:meeting_id>/speakers/<int:speaker_id>/end": R(CHAIRS, ids={"speaker_id": "floor_request"}),
    "POST /api/v1/meetings/<int:meeting_id>/speakers/<int:speaker_id>/withdraw": R(AUTHOR_OR_CHAIRS),
    "POST /api/v1/meetings/<int:meeting_id>/speakers/close": R(CHAIRS),
    "POST /api/v1/meetings/<int:meeting_id>/speakers/open": R(CHAIRS),
    "GET /api/v1/meetings/<int:meeting_id>/access-codes": R(CHAIRS),
    "POST /api/v1/meetings/<int:meeting_id>/access-codes": R(CHAIRS, body={"count": 1}),
    "POST /api/v1/access-codes/<int:code_id>/revoke": R(CHAIRS),
    #: proxies are public ("who votes for whom is part of the record", app.votes.api)
    "GET /api/v1/meetings/<int:meeting_id>/proxies": R(EVERYONE),
    "POST /api/v1/meetings/<int:meeting_id>/proxies": R(CHAIRS, body=lambda w: {
        "principal_id": w.ids["principal_organization"], "delegate_id": w.ids["delegate_organization"]}),
    "DELETE /api/v1/meetings/<int:meeting_id>/proxies": R(CHAIRS, body=lambda w: {
        "principal_id": w.ids["principal_organization"]}),
    "GET /meetings": R(EVERYONE),
    "POST /meetings": R(CHAIRS, body={"title": "Incontro di prova", "starts_at": "2030-05-04T10:00", "place": ""}),
    "GET /meetings/<int:meeting_id>": R(SIGNED_IN),
    "GET /meetings/<int:meeting_id>/console": R(CHAIRS),
    "GET /meetings/<int:meeting_id>/projector": R(SIGNED_IN),
    "POST /meetings/<int:meeting_id>/open": R(CHAIRS),
    "POST /meetings/<int:meeting_id>/close": R(CHAIRS, late=2),
    "POST /meetings/<int:meeting_id>/agenda": R(CHAIRS, body={"title": "Varie", "duration": "10"}),
    "GET /meetings/<int:meeting_id>/codes": R(CHAIRS),
    "POST /meetings/<int:meeting_id>/codes": R(CHAIRS, body={"count": "1"}),
    "POST /meetings/<int:meeting_id>/codes/<int:code_id>/revoke": R(CHAIRS),
    "GET /join": R(EVERYONE),
    "POST /join": R(EVERYONE, body={"code": PARTICIPANT_CODE}),
    # --- records: the verbale of a closed meeting (a draft: the chair's), the DocPP (a draft: the table's)
    "GET /api/v1/meetings/<int:meeting_id>/minutes": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "POST /api/v1/meetings/<int:meeting_id>/minutes": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "PATCH /api/v1/meetings/<int:meeting_id>/minutes": R(CHAIRS, body=text, ids={"meeting_id": "closed_meeting"}),
    "GET /api/v1/minutes/<int:subject_id>/revisions": R(CHAIRS, hidden=True),
    "GET /api/v1/minutes/<int:subject_id>/diff": R(CHAIRS, query="?from=1&to=1", hidden=True),
    "GET /api/v1/minutes/<int:subject_id>/comments": R(CHAIRS, hidden=True),
    "POST /api/v1/minutes/<int:subject_id>/comments": R(CHAIRS, body={"body": "Un commento."}, hidden=True),
    "GET /api/v1/minutes/<int:subject_id>/amendments": R(CHAIRS, hidden=True),
    "POST /api/v1/minutes/<int:subject_id>/amendments": R(CHAIRS, body=text, hidden=True),
    "GET /meetings/<int:meeting_id>/minutes": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "POST /meetings/<int:meeting_id>/minutes": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "GET /meetings/<int:meeting_id>/minutes.pdf": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "GET /meetings/<int:meeting_id>/minutes/edit": R(CHAIRS, ids={"meeting_id": "closed_meeting"}),
    "POST /meetings/<int:meeting_id>/minutes/edit": R(CHAIRS, body=text, ids={"meeting_id": "closed_meeting"}),
    "GET /api/v1/docpp": R(DRAFT_DOCPP_READERS),
    "POST /api/v1/docpp": R(CHAIRS),
    "PATCH /api/v1/docpp": R(CHAIRS, body=text),
    "GET /api/v1/documents/<int:subject_id>/revisions": R(DRAFT_DOCPP_READERS, hidden=True),
    "GET /api/v1/documents/<int:subject_id>/diff": R(DRAFT_DOCPP_READERS, query="?from=1&to=1", hidden=True),
    "GET /api/v1/documents/<int:subject_id>/comments": R(DRAFT_DOCPP_READERS, hidden=True),
    "POST /api/v1/documents/<int:subject_id>/comments": R(TABLE, body={"body": "Un commento."}, hidden=True),
    "GET /api/v1/documents/<int:subject_id>/amendments": R(DRAFT_DOCPP_READERS, hidden=True),
    "POST /api/v1/documents/<int:subject_id>/amendments": R(TABLE, body=text, hidden=True),
    #: the page explains to whoever may not read the draft why there is nothing to read yet
    "GET /docpp": R(EVERYONE),
    "POST /docpp": R(CHAIRS),
    "GET /docpp.pdf": R(DRAFT_DOCPP_READERS),
    "GET /docpp/edit": R(CHAIRS),
    "POST /docpp/edit": R(CHAIRS, body=text),
    # --- polls
    "GET /api/v1/polls": R(EVERYONE),
    "POST /api/v1/polls": R(CHAIRS, body={"title": "Votazione di prova", "kind": "yesno"}),
    "GET /api/v1/polls/<int:poll_id>": R(EVERYONE),
    "PATCH /api/v1/polls/<int:poll_id>": R(CHAIRS, body={"title": "Titolo nuovo"}, ids={"poll_id": "draft_poll"}, hidden=True),
    "POST /api/v1/polls/<int:poll_id>/open": R(CHAIRS, ids={"poll_id": "draft_poll"}, hidden=True),
    "POST /api/v1/polls/<int:poll_id>/close": R(CHAIRS, ids={"poll_id": "closing_poll"}),
    "POST /api/v1/polls/<int:poll_id>/ballots": R(REPRESENTATIVES, body=lambda w: {"choice": w.ids["open_poll_option"]}),
    "GET /api/v1/polls/<int:poll_id>/receipts/<string:code>": R(EVERYONE, ids={"poll_id": "closed_poll"}),
    "GET /api/v1/polls/<int:poll_id>/corrections": R(EVERYONE, ids={"poll_id": "closed_poll"}),
    "POST /api/v1/polls/<int:poll_id>/corrections": R(CHAIRS, body={"text": "Rettifica di prova."}, ids={"poll_id": "closed_poll"}),
    "GET /api/v1/polls/<int:poll_id>/results.csv": R(EVERYONE, ids={"poll_id": "closed_poll"}),
    "GET /polls": R(EVERYONE),
    "GET /polls/new": R(CHAIRS),
    "POST /polls/new": R(CHAIRS, body={"title": "Votazione di prova", "kind": "yesno", "meeting_id": "0",
                                       "majority": "simple", "electorate": "organizations"}),
    "GET /polls/<int:poll_id>": R(EVERYONE),
    "POST /polls/<int:poll_id>/open": R(CHAIRS, ids={"poll_id": "draft_poll"}, hidden=True),
    "POST /polls/<int:poll_id>/close": R(CHAIRS, ids={"poll_id": "closing_poll"}),
    "POST /polls/<int:poll_id>/ballots": R(REPRESENTATIVES, body=lambda w: {"choices": str(w.ids["open_poll_option"])}),
    "GET /polls/<int:poll_id>/receipt": R(EVERYONE, query="?code=NONESISTE", ids={"poll_id": "closed_poll"}),
    "POST /polls/<int:poll_id>/corrections": R(CHAIRS, body={"text": "Rettifica di prova."}, ids={"poll_id": "closed_poll"}),
}


# ---- the live channel ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SocketRule:
    allowed: Roles
    payload: Callable[["World"], dict[str, Any]]


def _in_meeting(**extra: str) -> Callable[["World"], dict[str, Any]]:
    """`{"meeting_id": the town meeting, name: World.ids[key], ...}`."""
    return lambda w: {"meeting_id": w.ids["meeting"], **{name: w.ids[key] for name, key in extra.items()}}


#: key: the event name, optionally followed by " (variant)". The allowed pass sends them in this order
#: (as RULES): the chair gives and ends the floor before the member withdraws its own request
SOCKET_RULES: dict[str, SocketRule] = {
    "join_meeting": SocketRule(SIGNED_IN, _in_meeting()),
    "resync": SocketRule(SIGNED_IN, lambda w: {"meeting_id": w.ids["meeting"], "since": 0}),
    "check_in": SocketRule(SIGNED_IN, _in_meeting()),
    "check_in (someone else)": SocketRule(CHAIRS, _in_meeting(user_id="bystander")),
    "set_current_item": SocketRule(CHAIRS, _in_meeting(item_id="next_item")),
    "give_floor": SocketRule(CHAIRS, _in_meeting(speaker_id="floor_request")),
    "end_speech": SocketRule(CHAIRS, _in_meeting()),
    "withdraw_request": SocketRule(AUTHOR_OR_CHAIRS, _in_meeting(speaker_id="speaker")),
    "request_to_speak": SocketRule(SPEAKERS, _in_meeting()),
    "close_speakers": SocketRule(CHAIRS, _in_meeting()),
    "open_speakers": SocketRule(CHAIRS, _in_meeting()),
    "subscribe": SocketRule(SIGNED_IN, lambda w: {"topic": f"proposal:{w.ids['proposal']}"}),
    "unsubscribe": SocketRule(SIGNED_IN, lambda w: {"topic": f"proposal:{w.ids['proposal']}"}),
    "cast_ballot": SocketRule(REPRESENTATIVES, lambda w: {"poll_id": w.ids["open_poll"], "choice": w.ids["open_poll_option"]}),
    "watch_poll": SocketRule(SIGNED_IN, lambda w: {"poll_id": w.ids["open_poll"]}),
}

#: the error codes of a permission refusal on /live (app.core.errors.Forbidden and the vote engine's)
SOCKET_REFUSAL_CODES = frozenset({"forbidden", "not_entitled"})


def socket_event(key: str) -> str:
    return key.split(" ", 1)[0]


# ---- enumerating the routes -----------------------------------------------------------------------------------

ANY_SEGMENT = re.compile(r"<any\(([^)]*)\):\w+>")
PLACEHOLDER = re.compile(r"<(?:[^>]*:)?(\w+)>")


def route_keys(app: Any) -> list[str]:
    """"METHOD pattern" for every method of every rule in url_map, `any(a, b)` segments expanded."""
    keys: list[str] = []
    for rule in app.url_map.iter_rules():
        patterns = [rule.rule]
        match = ANY_SEGMENT.search(rule.rule)
        if match:
            values = [v.strip().strip("'\"") for v in match.group(1).split(",")]
            patterns = [rule.rule[:match.start()] + value + rule.rule[match.end():] for value in values]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys.extend(f"{method} {pattern}" for pattern in patterns)
    return sorted(set(keys))


def socket_event_names() -> set[str]:
    """Every event registered on /live through app.auth.sockets (live_handler), but `connect`."""
    from app.auth.sockets import _HANDLERS

    return {event for event, _handler in _HANDLERS if event != "connect"}


#: the default object a path parameter names (keys of World.ids)
DEFAULT_IDS = {
    "meeting_id": "meeting", "item_id": "item", "speaker_id": "speaker", "code_id": "spare_code",
    "amendment_id": "amendment", "comment_id": "comment", "proposal_id": "proposal", "poll_id": "open_poll",
    "pact_id": "pact", "clause_id": "clause", "organization_id": "member_organization", "number": "version",
    "code": "receipt", "token": "invitation", "filename": "static_file", "subject_type": "subject_type",
}
#: `{subject_id}` of the shared deliberation routes, by the first segment of the path
SUBJECT_IDS = {"proposals": "proposal", "clauses": "clause", "minutes": "minutes", "documents": "document",
               "deliberation": "proposal"}


def is_api(pattern: str) -> bool:
    return pattern.startswith("/api/")


# ---- fingerprints: has anything changed? ------------------------------------------------------------------------

def committed(engine: Any) -> Any:
    """A connection that reads committed data only. The test's own transaction ends first: on SQLite
    every transaction holds the write lock (app.core.db begins them IMMEDIATE)."""
    from app.extensions import db

    db.session.commit()
    return engine.connect()


def table_fingerprints(engine: Any) -> dict[str, str]:
    """A hash of every row of every table, read outside the test's session (committed data only)."""
    from app.extensions import db

    prints: dict[str, str] = {}
    with committed(engine) as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(sa.select(table).order_by(*order)).all()
            prints[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def changed_tables(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def audit_length(engine: Any) -> int:
    from app.audit.models import AuditEntry

    with committed(engine) as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(AuditEntry.__table__))


def form_data(fields: Mapping[str, Any], csrf_token: str, prefix: str = "") -> dict[str, Any]:
    """A form post as the page sends it: the fields and the CSRF token, all named "<prefix>-<name>"."""
    name = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    return {name(field): value for field, value in {**fields, "csrf_token": csrf_token}.items()}


# ---- the world -----------------------------------------------------------------------------------------------

@dataclass
class World:
    """The demo table plus the few objects the routes name, with a token per role."""

    app: Any
    session: Any
    users: dict[str, Any]
    tokens: dict[str, str]
    ids: dict[str, Any]
    password: str

    # -- requests
    def path_values(self, pattern: str, rule: Rule) -> dict[str, Any]:
        values = {}
        for name in PLACEHOLDER.findall(pattern):
            key = rule.ids.get(name)
            if key is None and name == "subject_id":
                first = pattern.removeprefix("/api/v1").split("/")[1]
                key = SUBJECT_IDS[first]
            values[name] = self.ids[key or DEFAULT_IDS[name]]
        return values

    def path(self, pattern: str, rule: Rule) -> str:
        values = self.path_values(pattern, rule)
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), pattern) + rule.query

    def token(self, role: str, *, fresh: bool = False) -> str | None:
        if role == "anonymous":
            return None
        if fresh:
            from app.auth.services import issue_token

            token = issue_token(self.session, self.users[role])
            self.session.commit()
            return token
        return self.tokens[role]

    def send(self, role: str, key: str, rule: Rule) -> Any:
        """One request as `role`, from a new client (no cookie of an earlier call carries over)."""
        method, pattern = key.split(" ", 1)
        client = self.app.test_client()
        headers = {}
        token = self.token(role, fresh=rule.fresh_token)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = rule.body(self) if callable(rule.body) else rule.body
        kwargs: dict[str, Any] = {}
        if method != "GET":
            if is_api(pattern):
                kwargs["json"] = dict(body or {})  # a JSON API call, as clients make them
            else:
                prefix = rule.prefix.format(**self.path_values(pattern, rule))
                kwargs["data"] = form_data(body or {}, self.csrf_token(client), prefix)
        return client.open(self.path(pattern, rule), method=method, headers=headers, **kwargs)

    def csrf_token(self, client: Any) -> str:
        """A valid CSRF token for the client's session (as a page would embed it, without the page)."""
        raw = hashlib.sha1(os.urandom(64)).hexdigest()
        with client.session_transaction() as sess:
            sess["csrf_token"] = raw
        return URLSafeTimedSerializer(self.app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def socket(self, role: str) -> Any:
        from tests.factories import socket_client

        return socket_client(self.app, token=self.token(role))

    # -- reading the current state
    def agenda_ids(self, meeting_key: str = "meeting") -> list[int]:
        from app.meetings.models import AgendaItem

        from app.extensions import db

        with committed(db.engine) as conn:
            return list(conn.scalars(sa.select(AgendaItem.id).where(
                AgendaItem.meeting_id == self.ids[meeting_key]).order_by(AgendaItem.position)))


def build_world(app: Any, session: Any, demo: dict) -> World:
    """Objects of the town meeting (open, an item current, the member waiting to speak), a closed meeting
    with its draft verbale, the DocPP draft, polls in each state, and the member's comment and amendments."""
    from app.auth.services import create_invitation, issue_token
    from app.deliberation.services import add_comment, create_amendment
    from app.meetings.models import AccessCode
    from app.meetings.services import add_agenda_item, close_meeting, create_meeting, open_meeting, set_current_item
    from app.meetings.speakers import request_to_speak
    from app.pact.services import clauses_of
    from app.process.demo import DEMO_PASSWORD
    from app.proposals.services import as_subject
    from app.records.docpp import draft_document
    from app.records.services import draft_minutes
    from app.votes.demo import CAFE_TITLE, RULES_TITLE
    from app.votes.models import Poll
    from app.votes.services import create_poll, open_poll

    users = {role: demo["users"][account] for role, account in DEMO_ACCOUNTS.items()}
    chair, member = users["chair"], users["member"]
    town, first = demo["town_meeting"], demo["first_meeting"]
    organizations = demo["organizations"]

    open_meeting(session, chair, town)
    items = sorted(town.items, key=lambda item: item.position)
    set_current_item(session, chair, town, items[1].id)
    speaker = request_to_speak(session, member, town)
    bystander = demo["users"]["delegate:cna"]  # a member of the table none of the roles is
    floor_request = request_to_speak(session, chair, town, user_id=bystander.id)

    hub = demo["proposals"]["hub"]  # authored by the member (Confartigianato)
    subject = as_subject(hub)
    comment = add_comment(session, member, subject, "Un commento del delegato.")
    amendment = create_amendment(session, member, subject, body=hub.body + "\n\nUn punto in più.",
                                 reason="Un emendamento del delegato.")
    draft_amendment = create_amendment(session, member, subject, body=hub.body + "\n\nUna bozza.",
                                       reason="Una bozza del delegato.", submit=False)

    closed = create_meeting(session, chair, title="Incontro concluso",
                            starts_at=dt.datetime(2020, 2, 12, 14, 30, tzinfo=dt.timezone.utc))
    add_agenda_item(session, chair, closed, title="Unico punto", duration=10)
    open_meeting(session, chair, closed)
    close_meeting(session, chair, closed)
    minutes = draft_minutes(session, chair, closed)
    document = draft_document(session, chair)

    draft_poll = create_poll(session, chair, title="Votazione in bozza", kind="yesno")
    closing_poll = open_poll(session, chair, create_poll(session, chair, title="Votazione da chiudere", kind="yesno"))
    cafe = session.scalar(sa.select(Poll).where(Poll.title == CAFE_TITLE))
    rules_poll = session.scalar(sa.select(Poll).where(Poll.title == RULES_TITLE))
    spare_code = session.scalar(sa.select(AccessCode).where(
        AccessCode.meeting_id == town.id, AccessCode.number == SPARE_CODE_NUMBER))
    invitation, _invitation = create_invitation(session, users["admin"], email="invitata@example.test",
                                                name="Persona invitata", role="observer")
    session.commit()

    tokens = {role: issue_token(session, user) for role, user in users.items()}
    session.commit()
    client = app.test_client()
    joined = client.post("/api/v1/auth/code", json={"code": PARTICIPANT_CODE})
    if joined.status_code != 200:
        raise RuntimeError(f"the participant could not join: {joined.status_code} {joined.get_data(as_text=True)}")
    from app.auth.models import User

    users["participant"] = session.get(User, joined.get_json()["user"]["id"])
    tokens["participant"] = joined.get_json()["token"]

    ids: dict[str, Any] = {
        "meeting": town.id, "first_meeting": first.id, "closed_meeting": closed.id,
        "item": items[0].id, "current_item": items[1].id, "next_item": items[2].id,
        "speaker": speaker.id, "floor_request": floor_request.id, "spare_code": spare_code.id,
        "proposal": hub.id, "comment": comment.id, "amendment": amendment.id, "draft_amendment": draft_amendment.id,
        "pact": demo["pact"].id, "clause": clauses_of(demo["pact"])[0].id, "version": 1,
        "minutes": minutes.id, "document": document.id,
        "open_poll": cafe.id, "open_poll_option": cafe.options[0].id, "closed_poll": rules_poll.id,
        "draft_poll": draft_poll.id, "closing_poll": closing_poll.id, "receipt": "NONESISTE",
        "member_organization": member.organization_id, "other_organization": users["other_member"].organization_id,
        "principal_organization": organizations["ascom"].id, "delegate_organization": organizations["unibo"].id,
        "member_user": member.id, "bystander": bystander.id, "axis": demo["axes"]["connessioni"].id,
        "invitation": invitation, "static_file": "favicon.svg", "subject_type": "proposal", "language": "en",
    }
    return World(app=app, session=session, users=users, tokens=tokens, ids=ids, password=DEMO_PASSWORD)


def ordered_for_allowed_calls(keys: list[str]) -> Iterator[str]:
    """The table's order, with the calls that end something (`late`) at the end."""
    rules = [(RULES[key].late, index, key) for index, key in enumerate(keys)]
    for _late, _index, key in sorted(rules):
        yield key


def refused_roles(allowed: Roles) -> list[str]:
    return [role for role in ROLES if role not in allowed]


def allowed_roles(allowed: Roles) -> list[str]:
    """In ROLES order: the member acts before the chair (who may end what the member started)."""
    return [role for role in ROLES if role in allowed]
