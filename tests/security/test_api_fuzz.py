"""Hostile input (issue 10): every operation of the OpenAPI document, fuzzed by schemathesis.

Each operation gets valid and invalid requests (schemathesis' positive and negative generation), sent
by three identities — anonymous, the delegate of an organization and the chair — on the demo table, with
path ids mostly drawn from the objects that exist, so requests reach the services and not only the
404 branch. Every response must be:
- never a 5xx;
- a 4xx only as JSON `{"error": {"code", "message"}}` (interface.md);
- conform to the response schema the operation declares;
- and a refusal (4xx) must change nothing: the audit chain records every write, so its length must
  not grow during a refused call.

The checks hold for every single call whatever the database looks like, so the state left by earlier
cases (a meeting closed, an item deleted, the caller's adhesion withdrawn) cannot make them flaky; it
only changes which branches later cases reach. Generation is derandomized, so a run is reproducible.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable, Iterator

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode, Response
from schemathesis.checks import not_a_server_error, response_schema_conformance

from app.audit.models import AuditEntry
from app.deliberation.models import Amendment, Comment
from app.meetings.models import AccessCode, AgendaItem, Meeting, SpeakerRequest
from app.organizations.models import Organization
from app.pact.models import Clause, Pact
from app.process.demo import DEMO_PASSWORD
from app.proposals.models import Proposal
from app.records.models import Minutes, ParticipatoryDocument
from app.votes.models import Poll
from tests.factories import bearer, count_rows, token_for
from tests.security.fuzzing import fuzz_settings

#: cases per operation and generation mode: 117 operations x 2 modes x 3 identities stay within ~60 s
MAX_EXAMPLES = 5

IDENTITIES = ("anonymous", "member", "chair")
#: the demo accounts behind the identities (keys of the demo's `users`)
DEMO_ACCOUNTS = {"member": "delegate:cna", "chair": "chair"}

#: which table a path parameter names an object of
ID_TABLES: dict[str, Any] = {
    "organization_id": Organization, "meeting_id": Meeting, "item_id": AgendaItem, "speaker_id": SpeakerRequest,
    "code_id": AccessCode, "amendment_id": Amendment, "comment_id": Comment, "proposal_id": Proposal,
    "poll_id": Poll, "pact_id": Pact, "clause_id": Clause,
}
#: `{subject_id}` of the shared deliberation routes: its table follows from the first path segment
SUBJECT_TABLES: dict[str, Any] = {
    "proposals": Proposal, "clauses": Clause, "minutes": Minutes, "documents": ParticipatoryDocument,
}
#: revokes the token it is called with: the caller needs a new one afterwards
REVOKES_TOKEN = "DELETE /api/v1/auth/token"

SETTINGS = fuzz_settings(MAX_EXAMPLES)


# ---- checks (schemathesis calls each with the check context, the response and the case) ----------

def error_is_json_with_code_and_message(ctx: Any, response: Response, case: Case) -> None:
    """A refusal says what went wrong in the documented shape, never as HTML or an empty body."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"{response.status_code} answered as {content_type!r}"
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an `error` object: {body!r}"
    for key in ("code", "message"):
        assert isinstance(error.get(key), str) and error[key], f"`error.{key}` missing or empty: {body!r}"
    return None


def refusal_wrote_nothing(audit_growth: int) -> Callable[[Any, Response, Case], None]:
    """A check that a 4xx left the audit chain as it was (`audit_growth` is measured around the call)."""

    def refusal_wrote_nothing(ctx: Any, response: Response, case: Case) -> None:
        if 400 <= response.status_code < 500:
            assert audit_growth == 0, f"refused with {response.status_code} but wrote {audit_growth} audit entries"
        return None

    return refusal_wrote_nothing


# ---- the fuzzer ---------------------------------------------------------------------------------------

class Caller:
    """Sends cases as one identity through the isolated test client and checks every response."""

    def __init__(self, client: Any, session: Any, user: Any | None):
        self.client = client
        self.session = session
        self.user = user
        self.token = self._new_token()
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)

    def _new_token(self) -> str | None:
        return token_for(self.client, self.user, DEMO_PASSWORD) if self.user is not None else None

    def headers(self) -> dict[str, str]:
        return bearer(self.token) if self.token else {}

    def call_and_check(self, case: Case) -> None:
        before = count_rows(self.session, AuditEntry)
        headers = self.headers()
        response = case.call(session=self.client, headers=headers)
        growth = count_rows(self.session, AuditEntry) - before
        self.statuses[case.operation.label][response.status_code] += 1
        if case.operation.label == REVOKES_TOKEN:
            self.token = self._new_token()
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance, error_is_json_with_code_and_message,
                    refusal_wrote_nothing(growth)],
            headers=headers,
        )


def existing_ids(session: Any) -> dict[Any, list[int]]:
    """The ids of every table a path parameter can name, as the demo left them."""
    tables = set(ID_TABLES.values()) | set(SUBJECT_TABLES.values())
    return {table: list(session.scalars(sa.select(table.id).order_by(table.id))) for table in tables}


def real_path_parameters(operation: Any, ids: dict[Any, list[int]]) -> dict[str, st.SearchStrategy]:
    """For each path parameter that names an object: a strategy drawing one that exists."""
    first_segment = operation.path.removeprefix("/api/v1/").split("/")[0]
    strategies = {}
    for parameter in operation.path_parameters:
        table = SUBJECT_TABLES.get(first_segment) if parameter.name == "subject_id" else ID_TABLES.get(parameter.name)
        if table is not None and ids[table]:
            strategies[parameter.name] = st.sampled_from(ids[table])
    return strategies


def with_real_ids(case: Case, path_parameters: dict[str, int] | None) -> Case:
    if path_parameters:
        case.path_parameters.update(path_parameters)
    return case


def case_strategy(operation: Any, mode: GenerationMode, ids: dict[Any, list[int]]) -> st.SearchStrategy[Case]:
    """Cases of one operation; about half of them aim at objects that exist (and stay hostile elsewhere)."""
    cases = operation.as_strategy(generation_mode=mode)
    real = real_path_parameters(operation, ids)
    if not real:
        return cases
    return st.tuples(cases, st.none() | st.fixed_dictionaries(real)).map(lambda pair: with_real_ids(*pair))


def operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def fuzz(operation: Any, mode: GenerationMode, caller: Caller, settings: hypothesis.settings = SETTINGS) -> str | None:
    """Runs the cases of one operation; the first failing one, described, or None."""
    ids = existing_ids(caller.session)  # afresh: earlier operations created and deleted objects

    @settings
    @hypothesis.given(case=case_strategy(operation, mode, ids))
    def run(case: Case) -> None:
        caller.call_and_check(case)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        return None  # nothing to negate: the operation takes no parameters and no body
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected and reported together
        return f"{operation.label} [{mode.value}]: {exc}"
    return None


@pytest.fixture(scope="module")
def api_schema(app) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_operation_refuses_hostile_input_cleanly(identity, api_schema, client, session, demo):
    user = demo["users"][DEMO_ACCOUNTS[identity]] if identity in DEMO_ACCOUNTS else None
    caller = Caller(client, session, user)
    fuzzed = list(operations(api_schema))
    failures = [
        failure
        for operation in fuzzed
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := fuzz(operation, mode, caller)) is not None
    ]
    assert len(fuzzed) >= 100, "the OpenAPI document lost its operations"
    assert not failures, f"{len(failures)} failing operations as {identity}:\n\n" + "\n\n".join(failures)
