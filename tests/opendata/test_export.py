"""The open-data export: every file is there and matches the database, nothing personal leaks out."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.deliberation.models import Revision
from app.extensions import db
from app.meetings.access_codes import create_access_codes
from app.meetings.demo import DEMO_CODES
from app.meetings.models import AccessCode, Meeting
from app.opendata.export import DATASETS, build_export
from app.organizations.models import Adhesion, Organization
from app.pact.models import Clause, Endorsement, Signature
from app.pact.services import set_endorsement
from app.proposals.models import Proposal
from app.proposals.services import create_proposal
from app.votes.models import Ballot, Poll, PollOption
from app.votes.services import cast_ballot, close_poll, create_poll, open_poll

BOM = "\ufeff"
EXPECTED_FILES = ["README.md", *(f"{d.name}.{ext}" for d in DATASETS for ext in ("csv", "json")), "manifest.json"]
NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)


def _count(session, query) -> int:
    return int(session.scalar(query) or 0)


def expected_counts(session) -> dict[str, int]:
    """What each dataset should hold, asked of the database independently of the exporter."""
    count = sa.func.count()
    public_proposal_revisions = sa.select(count).select_from(Revision).join(
        Proposal, sa.and_(Revision.subject_type == "proposal", Proposal.id == Revision.subject_id)
    ).where(Proposal.status != "draft")
    return {
        "organizations": _count(session, sa.select(count).select_from(Organization)),
        "adhesions": _count(session, sa.select(count).select_from(Adhesion)),
        "proposals": _count(session, sa.select(count).select_from(Proposal).where(Proposal.status != "draft")),
        "revisions": _count(session, public_proposal_revisions)
        + _count(session, sa.select(count).select_from(Revision).where(Revision.subject_type == "clause")),
        "pact_clauses": _count(session, sa.select(count).select_from(Clause)),
        "endorsements": _count(session, sa.select(count).select_from(Endorsement)),
        "signatures": _count(session, sa.select(count).select_from(Signature)),
        "meetings": _count(session, sa.select(count).select_from(Meeting)),
        "polls": _count(session, sa.select(count).select_from(Poll).where(Poll.state != "draft")),
        # a yes/no poll has three answers; the others one row per option
        "poll_results": 3 * _count(session, sa.select(count).select_from(Poll).where(Poll.state == "closed", Poll.kind == "yesno"))
        + _count(session, sa.select(count).select_from(PollOption).join(Poll).where(
            Poll.state == "closed", Poll.kind != "yesno")),
    }


def _download(client) -> tuple[bytes, zipfile.ZipFile]:
    response = client.get("/api/v1/export.zip")  # anonymous: no login, no token
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data, zipfile.ZipFile(io.BytesIO(response.data))


def _csv_rows(archive: zipfile.ZipFile, name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = archive.read(f"{name}.csv").decode("utf-8")
    assert text.startswith(BOM), f"{name}.csv has no BOM"
    reader = csv.DictReader(io.StringIO(text[len(BOM):], newline=""))
    return list(reader.fieldnames or []), list(reader)


def _everything(raw: bytes, archive: zipfile.ZipFile) -> bytes:
    """The archive as bytes plus every member uncompressed (a deflated member would hide a string)."""
    return raw + b"".join(archive.read(name) for name in archive.namelist())


@pytest.fixture
def richer(session, demo) -> dict:
    """The demo plus what the export must filter: a draft proposal, a draft poll, a changed position,
    and a closed secret yes/no poll with its receipts."""
    users = demo["users"]
    chair = users["chair"]
    axis = next(iter(demo["axes"].values()))
    create_proposal(session, users["delegate:cgil"], title="Bozza riservata", body="Testo in bozza", axis_id=axis.id)
    create_proposal(session, users["delegate:cgil"], title="=HYPERLINK(\"http://x\")", body="- elenco",
                    axis_id=axis.id, publish=True)
    create_poll(session, chair, title="Votazione in bozza", kind="yesno")
    clause = session.scalars(sa.select(Clause).order_by(Clause.id)).first()
    set_endorsement(session, users["delegate:cgil"], clause, "endorse")
    set_endorsement(session, users["delegate:cgil"], clause, "reservation", "Serve un piano")
    secret = create_poll(session, chair, title="Votazione segreta di prova", kind="yesno", secret=True)
    open_poll(session, chair, secret)
    receipts = [cast_ballot(session, users[f"delegate:{key}"], secret, {"choice": choice})
                for key, choice in (("cna", "yes"), ("cgil", "no"), ("ascom", "yes"))]
    close_poll(session, chair, secret)
    codes = [code for _row, code in create_access_codes(session, None, demo["town_meeting"], 3, system=True)]
    session.commit()
    return {"secret": secret, "receipts": receipts, "codes": codes}


def test_anyone_downloads_a_zip_with_every_file_and_a_readme(client, session, richer):
    raw, archive = _download(client)
    assert archive.namelist() == EXPECTED_FILES
    assert archive.testzip() is None
    readme = archive.read("README.md").decode("utf-8")
    assert "CC BY 4.0" in readme and "Generato il / generated at" in readme
    for dataset in DATASETS:
        assert f"{dataset.name}.csv" in readme and f"{dataset.name}.json" in readme
        assert dataset.it in readme and dataset.en in readme
        for column in dataset.columns:
            assert f"| `{column.name}` | {column.it} | {column.en} |" in readme


def test_each_dataset_has_as_many_rows_as_the_database_and_json_matches_csv(client, session, richer):
    _raw, archive = _download(client)
    counts = expected_counts(session)
    assert counts["proposals"] < _count(session, sa.select(sa.func.count()).select_from(Proposal))  # a draft is left out
    assert counts["polls"] < _count(session, sa.select(sa.func.count()).select_from(Poll))
    for dataset in DATASETS:
        header, rows = _csv_rows(archive, dataset.name)
        objects = json.loads(archive.read(f"{dataset.name}.json"))
        assert header == dataset.column_names, dataset.name
        assert len(rows) == counts[dataset.name], dataset.name
        assert len(objects) == len(rows), dataset.name
        assert all(list(obj) == header for obj in objects), dataset.name
        if "id" in header:
            assert [str(obj["id"]) for obj in objects] == [row["id"] for row in rows], dataset.name
    assert counts["endorsements"] > _count(session, sa.select(sa.func.count()).select_from(Endorsement).where(
        Endorsement.superseded_at.is_(None)))  # the history is in


def test_results_come_from_the_stored_result_of_closed_polls(client, session, richer):
    _raw, archive = _download(client)
    secret = richer["secret"]
    rows = [r for r in _csv_rows(archive, "poll_results")[1] if r["poll_id"] == str(secret.id)]
    assert {r["answer"]: r["count"] for r in rows} == {"yes": "2", "no": "1", "abstain": "0"}
    assert {r["passed"] for r in rows} == {"true"} and {r["quorum_reached"] for r in rows} == {"true"}
    polls = {p["id"]: p for p in json.loads(archive.read("polls.json"))}
    assert polls[secret.id]["result"] == secret.result and polls[secret.id]["secret"] is True
    assert all(p["state"] != "draft" for p in polls.values())


def test_spreadsheet_formulas_are_neutralized_in_the_csv_but_exact_in_the_json(client, session, richer):
    _raw, archive = _download(client)
    titles = [r["title"] for r in _csv_rows(archive, "proposals")[1]]
    assert "'=HYPERLINK(\"http://x\")" in titles
    assert "=HYPERLINK(\"http://x\")" in [p["title"] for p in json.loads(archive.read("proposals.json"))]
    assert "Bozza riservata" not in _everything(*_download(client)).decode("utf-8", "replace")


def test_the_manifest_has_the_sha256_of_every_file(client, session, richer):
    _raw, archive = _download(client)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["license"] == "CC BY 4.0"
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert list(listed) == EXPECTED_FILES[:-1]
    for path, entry in listed.items():
        content = archive.read(path)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest(), path
        assert entry["bytes"] == len(content), path
    counts = expected_counts(session)
    assert all(listed[f"{d.name}.csv"]["rows"] == counts[d.name] for d in DATASETS)


def test_no_personal_data_no_access_codes_no_ballots(client, session, richer):
    raw, archive = _download(client)
    blob = _everything(raw, archive).decode("utf-8", "replace")
    folded = blob.casefold()
    users = session.scalars(sa.select(User)).all()
    assert users
    for user in users:
        assert user.email.casefold() not in folded, user.email
        if user.password_hash:
            assert user.password_hash not in blob
        if user.organization_id is not None or user.role in ("chair", "admin", "observer"):
            assert user.name not in blob, user.name  # the people acting for organizations stay private
    for code in [*DEMO_CODES, *richer["codes"]]:
        assert code not in blob and code.replace("-", "") not in blob
    assert all(h not in blob for h in session.scalars(sa.select(AccessCode.code_hash)))
    for receipt in richer["receipts"]:
        assert receipt not in blob and hashlib.sha256(receipt.encode()).hexdigest() not in blob
    ballots = session.execute(sa.select(Ballot.id, Ballot.receipt_hash)).all()
    assert ballots
    assert all(ballot_id not in blob and receipt_hash not in blob for ballot_id, receipt_hash in ballots)
    assert not any("ballot" in name or "vote" in name for name in archive.namelist())
    assert "organization:" not in blob and "user:" not in blob  # no voter keys of the roll


def test_same_data_same_bytes_and_a_constant_number_of_queries(session, richer):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):  # not the BEGIN of the SQLite transaction
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = build_export(session, NOW)
        before = len(statements)
        chair = session.scalar(sa.select(User).where(User.role == "chair"))
        axis_id = session.scalar(sa.select(Proposal.axis_id).limit(1))
        for i in range(5):
            create_proposal(session, chair, title=f"Proposta in più {i}", body="Testo", axis_id=axis_id, publish=True)
        session.commit()
        statements.clear()
        build_export(session, NOW)
        assert len(statements) == before == len(DATASETS)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert first != build_export(session, NOW)  # the new proposals are in
    assert build_export(session, NOW) == build_export(session, NOW)
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(2026, 3, 1, 9, 30, 0)}


def test_an_empty_table_exports_headers_only(session, app_ctx):
    archive = zipfile.ZipFile(io.BytesIO(build_export(session, NOW)))
    assert archive.namelist() == EXPECTED_FILES
    for dataset in DATASETS:
        header, rows = _csv_rows(archive, dataset.name)
        assert header == dataset.column_names and rows == []
        assert json.loads(archive.read(f"{dataset.name}.json")) == []


def test_the_export_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/export.zip"]["get"]
    assert "application/zip" in operation["responses"]["200"]["content"]
