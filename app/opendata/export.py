"""The open-data export (issue 7): every public dataset of the table as CSV + JSON in one ZIP.

What goes out is an allow-list, column by column: each dataset below names the columns it selects,
so a column added to a model later stays out of the open data until someone decides it is public.
Never selected: users (e-mails, names of private persons, password hashes, tokens), access codes,
ballots and receipts, who voted, attendances and requests to speak, comments, drafts. Organizations
are public actors, so their names are; the people acting for them are not.

Each dataset costs one query (a join with correlated subqueries where a count is needed), so the
export costs the same number of queries whatever the size of the table. The ZIP is deterministic:
the same database and generation time give the same bytes (fixed member order and timestamps).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.core.db import isoformat
from app.deliberation.models import Revision
from app.meetings.models import Meeting
from app.organizations.models import Adhesion, Organization
from app.pact.models import Clause, Endorsement, Pact, PactSection, PactVersion, Signature
from app.pact.services import SUBJECT_TYPE as CLAUSE_TYPE
from app.process.models import Axis
from app.proposals.models import Proposal, ProposalStatus, Support
from app.proposals.services import SUBJECT_TYPE as PROPOSAL_TYPE
from app.votes.models import Poll, PollOption, PollState, VoteRecord

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: cells a spreadsheet would run as a formula; the CSV prefixes them with an apostrophe (JSON is exact)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
YESNO_LABELS = {"yes": "Sì", "no": "No", "abstain": "Astensione"}

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """A published column, with its meaning in Italian and English for README.md."""

    name: str
    it: str
    en: str


@dataclass(frozen=True)
class Dataset:
    """One CSV + JSON pair: its rows come from `load` and have exactly the keys of `columns`."""

    name: str
    it: str
    en: str
    columns: tuple[Column, ...]
    load: Callable[[Session], list[Row]]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, it: str, en: str) -> Column:
    return Column(name, it, en)


# --- loading: one query per dataset --------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Datetimes as ISO 8601 UTC with a Z (the public interface's format); the rest as it is."""
    return isoformat(value) if isinstance(value, dt.datetime) else value


def _fetch(session: Session, query: sa.Select) -> list[Row]:
    """Run one labelled select and return its rows as dicts keyed by the labels."""
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in session.execute(query)]


def load_organizations(session: Session) -> list[Row]:
    """Organizations with their public fields and their standing at the table (one query)."""
    current = aliased(Adhesion)
    first = (sa.select(sa.func.min(Adhesion.adhered_at)).where(Adhesion.organization_id == Organization.id)
             .correlate(Organization).scalar_subquery())
    rows = _fetch(session, sa.select(
        Organization.id.label("id"), Organization.name.label("name"), Organization.short_name.label("short_name"),
        Organization.category.label("category"), Organization.place.label("place"),
        Organization.website.label("website"), Organization.description.label("description"),
        Organization.weight.label("weight"), Organization.created_at.label("created_at"),
        first.label("first_adhered_at"), current.adhered_at.label("adhered_since"),
    ).outerjoin(current, sa.and_(current.organization_id == Organization.id, current.withdrawn_at.is_(None)))
        .order_by(Organization.id))
    for row in rows:
        row["adhesion_status"] = ("active" if row["adhered_since"] else
                                  "withdrawn" if row["first_adhered_at"] else "none")
    return rows


def load_adhesions(session: Session) -> list[Row]:
    """Every period of membership, withdrawn ones included; not the person who signed it."""
    return _fetch(session, sa.select(
        Adhesion.id.label("id"), Adhesion.organization_id.label("organization_id"),
        Organization.name.label("organization_name"), Adhesion.statement.label("statement"),
        Adhesion.adhered_at.label("adhered_at"), Adhesion.withdrawn_at.label("withdrawn_at"),
        Adhesion.withdrawal_reason.label("withdrawal_reason"),
    ).join(Organization, Organization.id == Adhesion.organization_id).order_by(Adhesion.id))


def load_proposals(session: Session) -> list[Row]:
    """Proposals brought to the table (drafts are their authors' own), with the organization behind them."""
    supports = (sa.select(sa.func.count(Support.id))
                .where(Support.proposal_id == Proposal.id, Support.withdrawn_at.is_(None))
                .correlate(Proposal).scalar_subquery())
    return _fetch(session, sa.select(
        Proposal.id.label("id"), Proposal.title.label("title"), Proposal.body.label("body"),
        Proposal.status.label("status"), Proposal.revision.label("revision"), Proposal.axis_id.label("axis_id"),
        Axis.code.label("axis_code"), Axis.name.label("axis_name"),
        Proposal.organization_id.label("organization_id"), Organization.name.label("organization_name"),
        supports.label("supports"), Proposal.created_at.label("created_at"),
        Proposal.updated_at.label("updated_at"), Proposal.status_changed_at.label("status_changed_at"),
    ).join(Axis, Axis.id == Proposal.axis_id)
        .outerjoin(Organization, Organization.id == Proposal.organization_id)
        .where(Proposal.status != ProposalStatus.DRAFT.value).order_by(Proposal.id))


def load_revisions(session: Session) -> list[Row]:
    """The history of the texts of public proposals and of pact clauses, oldest first per subject.

    Other subject kinds (e.g. draft minutes) are left out on purpose: each kind decides its own publicity.
    """
    proposal = aliased(Proposal)
    return _fetch(session, sa.select(
        Revision.id.label("id"), Revision.subject_type.label("subject_type"), Revision.subject_id.label("subject_id"),
        Revision.number.label("number"), Revision.title.label("title"), Revision.body.label("body"),
        Revision.reason.label("reason"), Revision.organization_id.label("organization_id"),
        Organization.name.label("organization_name"), Revision.amendment_id.label("amendment_id"),
        Revision.created_at.label("created_at"),
    ).outerjoin(Organization, Organization.id == Revision.organization_id)
        .outerjoin(proposal, sa.and_(Revision.subject_type == PROPOSAL_TYPE, proposal.id == Revision.subject_id))
        .where(sa.or_(Revision.subject_type == CLAUSE_TYPE,
                      sa.and_(Revision.subject_type == PROPOSAL_TYPE, proposal.status != ProposalStatus.DRAFT.value)))
        .order_by(Revision.subject_type, Revision.subject_id, Revision.number))


def load_clauses(session: Session) -> list[Row]:
    """The working text of every pact, clause by clause, with the table's last decision on it."""
    return _fetch(session, sa.select(
        Clause.id.label("id"), Clause.pact_id.label("pact_id"), Pact.title.label("pact_title"),
        Clause.section_id.label("section_id"), PactSection.position.label("section_position"),
        PactSection.title.label("section_title"), Clause.number.label("number"), Clause.title.label("title"),
        Clause.body.label("body"), Clause.commitments.label("commitments"), Clause.revision.label("revision"),
        Clause.updated_at.label("updated_at"), Clause.decision.label("decision"),
        Clause.decided_revision.label("decided_revision"), Clause.decided_at.label("decided_at"),
    ).join(Pact, Pact.id == Clause.pact_id).join(PactSection, PactSection.id == Clause.section_id)
        .order_by(Clause.pact_id, Clause.number))


def load_endorsements(session: Session) -> list[Row]:
    """Every position an organization took on a clause, superseded ones included (the history)."""
    return _fetch(session, sa.select(
        Endorsement.id.label("id"), Clause.pact_id.label("pact_id"), Endorsement.clause_id.label("clause_id"),
        Clause.number.label("clause_number"), Endorsement.organization_id.label("organization_id"),
        Organization.name.label("organization_name"), Endorsement.position.label("position"),
        Endorsement.note.label("note"), Endorsement.created_at.label("created_at"),
        Endorsement.superseded_at.label("superseded_at"),
    ).join(Clause, Clause.id == Endorsement.clause_id)
        .join(Organization, Organization.id == Endorsement.organization_id).order_by(Endorsement.id))


def load_signatures(session: Session) -> list[Row]:
    """Signatures of frozen versions, withdrawn ones included; the organization, not the signer."""
    return _fetch(session, sa.select(
        Signature.id.label("id"), Signature.pact_id.label("pact_id"),
        Signature.organization_id.label("organization_id"), Organization.name.label("organization_name"),
        PactVersion.number.label("version_number"), PactVersion.sha256.label("version_sha256"),
        Signature.founding.label("founding"), Signature.declaration.label("declaration"),
        Signature.signed_at.label("signed_at"), Signature.withdrawn_at.label("withdrawn_at"),
        Signature.withdrawal_reason.label("withdrawal_reason"),
    ).join(PactVersion, PactVersion.id == Signature.version_id)
        .join(Organization, Organization.id == Signature.organization_id).order_by(Signature.id))


def load_meetings(session: Session) -> list[Row]:
    """Meetings as announced: title, dates, place, status; nobody's attendance."""
    return _fetch(session, sa.select(
        Meeting.id.label("id"), Meeting.title.label("title"), Meeting.starts_at.label("starts_at"),
        Meeting.place.label("place"), Meeting.status.label("status"), Meeting.opened_at.label("opened_at"),
        Meeting.closed_at.label("closed_at"), Meeting.created_at.label("created_at"),
    ).order_by(Meeting.id))


def load_polls(session: Session) -> list[Row]:
    """Open and closed polls (drafts are the chair's), with the stored result of closed ones."""
    voted = (sa.select(sa.func.count(VoteRecord.id)).where(VoteRecord.poll_id == Poll.id)
             .correlate(Poll).scalar_subquery())
    rows = _fetch(session, sa.select(
        Poll.id.label("id"), Poll.title.label("title"), Poll.description.label("description"),
        Poll.kind.label("kind"), Poll.max_choices.label("max_choices"), Poll.meeting_id.label("meeting_id"),
        Poll.subject_type.label("subject_type"), Poll.subject_id.label("subject_id"),
        Poll.electorate.label("electorate"), Poll.weighted.label("weighted"), Poll.majority.label("majority"),
        Poll.quorum.label("quorum"), Poll.secret.label("secret"), Poll.hide_tally.label("hide_tally"),
        Poll.state.label("state"), Poll.opened_at.label("opened_at"), Poll.closed_at.label("closed_at"),
        Poll.entitled_count.label("entitled"), voted.label("voted"), Poll.result.label("result"),
    ).where(Poll.state != PollState.DRAFT.value).order_by(Poll.id))
    for row in rows:
        if row["state"] != PollState.CLOSED.value:
            row["result"] = None  # only a closed poll's result is final (and a hidden tally stays hidden)
    return rows


def load_poll_results(session: Session) -> list[Row]:
    """One row per closed poll and answer (yes/no/abstain, or option), read from the stored result.

    Never recomputed from ballots: the published result is the one fixed at close.
    """
    rows = session.execute(
        sa.select(Poll.id, Poll.title, Poll.kind, Poll.result, PollOption.id, PollOption.label, PollOption.position)
        .outerjoin(PollOption, PollOption.poll_id == Poll.id)
        .where(Poll.state == PollState.CLOSED.value)
        .order_by(Poll.id, PollOption.position, PollOption.id)
    ).all()
    polls: dict[int, tuple[str, str, dict[str, Any], list[tuple[int, str, int]]]] = {}
    for poll_id, title, kind, result, option_id, label, position in rows:
        entry = polls.setdefault(poll_id, (title, kind, result or {}, []))
        if option_id is not None:
            entry[3].append((option_id, label, position))
    return [row for poll_id, (title, kind, result, options) in polls.items()
            for row in _result_rows(poll_id, title, kind, result, options)]


def _result_rows(poll_id: int, title: str, kind: str, result: dict[str, Any],
                 options: Sequence[tuple[int, str, int]]) -> Iterable[Row]:
    """The answers of one poll: yes/no/abstain for a yes/no poll, else its options in ballot order."""
    answers = ([(key, label, i) for i, (key, label) in enumerate(YESNO_LABELS.items())] if kind == "yesno"
               else [(str(oid), label, position) for oid, label, position in options])
    tiers = result.get("schulze_tiers") or []
    rank = {str(oid): n for n, tier in enumerate(tiers, start=1) for oid in tier}
    winners = {str(w) for w in result.get("winners") or []}
    for answer, label, position in answers:
        yield {
            "poll_id": poll_id, "poll_title": title, "kind": kind, "answer": answer, "label": label,
            "position": position,
            "count": (result.get("counts") or {}).get(answer),
            "percentage": (result.get("percentages") or {}).get(answer),
            "borda": (result.get("borda") or {}).get(answer) if kind == "ranking" else None,
            "schulze_rank": rank.get(answer) if kind == "ranking" else None,
            "winner": _winner(kind, answer, winners, rank),
            "voted": result.get("voted"), "entitled": result.get("entitled"),
            "quorum_reached": result.get("quorum_reached"), "passed": result.get("passed") if kind == "yesno" else None,
        }


def _winner(kind: str, answer: str, winners: set[str], rank: dict[str, int]) -> bool | None:
    """Choice: among the most voted; ranking: in the first Schulze tier; yes/no: see `passed`."""
    if kind == "choice":
        return answer in winners
    if kind == "ranking":
        return rank.get(answer) == 1
    return None


# --- the datasets and their columns (what README.md documents) ----------------------------------

DATASETS: tuple[Dataset, ...] = (
    Dataset("organizations", "Le organizzazioni registrate e la loro adesione al Tavolo.",
            "The registered organizations and their membership of the table.", (
                _c("id", "identificativo dell'organizzazione", "organization id"),
                _c("name", "denominazione", "name"),
                _c("short_name", "sigla", "short name"),
                _c("category", "tipologia (associazione_categoria, sindacato, terzo_settore, cultura, ricerca, "
                   "ente_pubblico, impresa, comitato)", "kind (same codes)"),
                _c("place", "comune o area della sede", "municipality or area"),
                _c("website", "sito web", "website"),
                _c("description", "descrizione", "description"),
                _c("weight", "peso nelle votazioni ponderate", "weight in weighted polls"),
                _c("created_at", "registrata il", "registered at"),
                _c("first_adhered_at", "prima adesione al Tavolo", "first adhesion to the table"),
                _c("adhered_since", "inizio dell'adesione in corso (vuoto se non aderisce)",
                   "start of the current adhesion (empty if not a member)"),
                _c("adhesion_status", "active = aderisce; withdrawn = ha receduto; none = mai aderito",
                   "active = member; withdrawn = left; none = never joined"),
            ), load_organizations),
    Dataset("adhesions", "Ogni periodo di adesione al Tavolo, compresi quelli conclusi da un recesso.",
            "Every period of membership of the table, including those ended by a withdrawal.", (
                _c("id", "identificativo dell'adesione", "adhesion id"),
                _c("organization_id", "organizzazione (organizations.id)", "organization (organizations.id)"),
                _c("organization_name", "denominazione dell'organizzazione", "organization name"),
                _c("statement", "dichiarazione di adesione", "adhesion statement"),
                _c("adhered_at", "data di adesione", "adhered at"),
                _c("withdrawn_at", "data del recesso (vuoto se in corso)", "withdrawn at (empty if current)"),
                _c("withdrawal_reason", "motivazione del recesso", "reason for withdrawing"),
            ), load_adhesions),
    Dataset("proposals", "Le proposte portate al Tavolo (non le bozze), nel testo attuale.",
            "The proposals brought to the table (not drafts), in their current text.", (
                _c("id", "identificativo della proposta", "proposal id"),
                _c("title", "titolo attuale", "current title"),
                _c("body", "testo attuale (Markdown)", "current text (Markdown)"),
                _c("status", "stato: discussion, voting, accepted, rejected, withdrawn",
                   "status: discussion, voting, accepted, rejected, withdrawn"),
                _c("revision", "numero della revisione attuale", "number of the current revision"),
                _c("axis_id", "asse prioritario (id)", "priority axis (id)"),
                _c("axis_code", "codice dell'asse", "axis code"),
                _c("axis_name", "nome dell'asse", "axis name"),
                _c("organization_id", "organizzazione proponente (vuoto: presidenza o segreteria)",
                   "proposing organization (empty: chair or secretariat)"),
                _c("organization_name", "denominazione dell'organizzazione proponente", "proposing organization name"),
                _c("supports", "sostegni in corso di organizzazioni", "current supports by organizations"),
                _c("created_at", "creata il", "created at"),
                _c("updated_at", "ultima modifica", "last changed at"),
                _c("status_changed_at", "ultimo cambio di stato", "last status change"),
            ), load_proposals),
    Dataset("revisions", "La storia dei testi: ogni revisione di proposte (non bozze) e clausole del Patto.",
            "The history of the texts: every revision of proposals (not drafts) and pact clauses.", (
                _c("id", "identificativo della revisione", "revision id"),
                _c("subject_type", "oggetto: proposal (proposta) o clause (clausola)",
                   "subject: proposal or clause"),
                _c("subject_id", "id della proposta (proposals.id) o della clausola (pact_clauses.id)",
                   "id of the proposal (proposals.id) or clause (pact_clauses.id)"),
                _c("number", "numero progressivo della revisione (1 = testo iniziale)",
                   "revision number (1 = first text)"),
                _c("title", "titolo in questa revisione", "title in this revision"),
                _c("body", "testo in questa revisione (Markdown)", "text in this revision (Markdown)"),
                _c("reason", "motivazione della modifica", "reason for the change"),
                _c("organization_id", "organizzazione per cui è stata fatta (vuoto: presidenza)",
                   "organization it was made for (empty: chair)"),
                _c("organization_name", "denominazione dell'organizzazione", "organization name"),
                _c("amendment_id", "emendamento accolto che la revisione applica", "accepted amendment it applies"),
                _c("created_at", "data della revisione", "revision date"),
            ), load_revisions),
    Dataset("pact_clauses", "Il testo di lavoro del Patto, clausola per clausola.",
            "The working text of the pact, clause by clause.", (
                _c("id", "identificativo della clausola", "clause id"),
                _c("pact_id", "patto", "pact id"),
                _c("pact_title", "titolo del patto", "pact title"),
                _c("section_id", "sezione (asse)", "section (axis) id"),
                _c("section_position", "ordine della sezione", "section order"),
                _c("section_title", "titolo della sezione", "section title"),
                _c("number", "numero della clausola nel patto", "clause number within the pact"),
                _c("title", "titolo", "title"),
                _c("body", "testo (Markdown)", "text (Markdown)"),
                _c("commitments", "impegni richiesti ai firmatari, uno per riga",
                   "commitments asked of signatories, one per line"),
                _c("revision", "numero della revisione attuale", "current revision number"),
                _c("updated_at", "ultima modifica", "last changed at"),
                _c("decision", "ultima decisione del Tavolo: approved o rejected", "last decision: approved or rejected"),
                _c("decided_revision", "revisione su cui si è deciso", "revision decided on"),
                _c("decided_at", "data della decisione", "decided at"),
            ), load_clauses),
    Dataset("endorsements", "Le posizioni delle organizzazioni sulle clausole, con la storia dei cambiamenti.",
            "The organizations' positions on the clauses, with the history of changes.", (
                _c("id", "identificativo della posizione", "position id"),
                _c("pact_id", "patto", "pact id"),
                _c("clause_id", "clausola (pact_clauses.id)", "clause (pact_clauses.id)"),
                _c("clause_number", "numero della clausola", "clause number"),
                _c("organization_id", "organizzazione", "organization id"),
                _c("organization_name", "denominazione dell'organizzazione", "organization name"),
                _c("position", "endorse = adesione, reservation = riserva, oppose = contrarietà",
                   "endorse, reservation or oppose"),
                _c("note", "nota o testo della riserva", "note or text of the reservation"),
                _c("created_at", "espressa il", "taken at"),
                _c("superseded_at", "sostituita da una posizione successiva il (vuoto: in vigore)",
                   "replaced by a later position at (empty: current)"),
            ), load_endorsements),
    Dataset("signatures", "Le firme delle versioni congelate del Patto, comprese quelle ritirate.",
            "The signatures of the pact's frozen versions, withdrawn ones included.", (
                _c("id", "identificativo della firma", "signature id"),
                _c("pact_id", "patto", "pact id"),
                _c("organization_id", "organizzazione firmataria", "signing organization id"),
                _c("organization_name", "denominazione dell'organizzazione", "organization name"),
                _c("version_number", "numero della versione firmata", "signed version number"),
                _c("version_sha256", "SHA-256 del testo canonico della versione", "SHA-256 of the version's canonical text"),
                _c("founding", "true = firmataria fondatrice (versione 1)", "true = founding signatory (version 1)"),
                _c("declaration", "dichiarazione allegata alla firma", "declaration attached to the signature"),
                _c("signed_at", "firmata il", "signed at"),
                _c("withdrawn_at", "ritirata il (vuoto: valida)", "withdrawn at (empty: standing)"),
                _c("withdrawal_reason", "motivazione del ritiro", "reason for withdrawing"),
            ), load_signatures),
    Dataset("meetings", "Gli incontri del Tavolo e i town meeting (senza presenze né interventi).",
            "The table's meetings and town meetings (no attendance, no speakers).", (
                _c("id", "identificativo dell'incontro", "meeting id"),
                _c("title", "titolo", "title"),
                _c("starts_at", "inizio previsto", "scheduled start"),
                _c("place", "luogo o collegamento", "place or link"),
                _c("status", "planned = previsto, open = in corso, closed = concluso", "planned, open or closed"),
                _c("opened_at", "aperto il", "opened at"),
                _c("closed_at", "chiuso il", "closed at"),
                _c("created_at", "creato il", "created at"),
            ), load_meetings),
    Dataset("polls", "Le votazioni aperte e chiuse (non le bozze) con il risultato registrato alla chiusura.",
            "The open and closed polls (not drafts) with the result stored at closing.", (
                _c("id", "identificativo della votazione", "poll id"),
                _c("title", "titolo", "title"),
                _c("description", "descrizione", "description"),
                _c("kind", "yesno = sì/no, choice = scelta, ranking = classifica", "yesno, choice or ranking"),
                _c("max_choices", "opzioni indicabili (choice)", "options a ballot may mark (choice)"),
                _c("meeting_id", "incontro (meetings.id)", "meeting (meetings.id)"),
                _c("subject_type", "oggetto deciso: proposal, amendment, clause, pact_version, minutes, document", "subject decided"),
                _c("subject_id", "id dell'oggetto deciso", "id of the subject decided"),
                _c("electorate", "organizations = un voto per organizzazione; people = uno per persona",
                   "organizations = one ballot per organization; people = one per person"),
                _c("weighted", "voti ponderati con il peso dell'organizzazione", "ballots weighted by organization"),
                _c("majority", "simple, absolute o two_thirds (vedi docs/api.md)", "simple, absolute or two_thirds"),
                _c("quorum", "schede minime perché il risultato sia valido", "least ballots for a valid result"),
                _c("secret", "voto segreto", "secret ballot"),
                _c("hide_tally", "conteggio nascosto fino alla chiusura", "tally hidden until closing"),
                _c("state", "open = aperta, closed = chiusa", "open or closed"),
                _c("opened_at", "aperta il", "opened at"),
                _c("closed_at", "chiusa il", "closed at"),
                _c("entitled", "aventi diritto (registro congelato all'apertura)", "entitled voters (roll at opening)"),
                _c("voted", "schede espresse finora", "ballots cast so far"),
                _c("result", "risultato completo registrato alla chiusura (JSON; nel CSV come testo JSON)",
                   "full result stored at closing (JSON; a JSON string in the CSV)"),
            ), load_polls),
    Dataset("poll_results", "I risultati delle votazioni chiuse: una riga per votazione e risposta/opzione.",
            "The results of closed polls: one row per poll and answer/option.", (
                _c("poll_id", "votazione (polls.id)", "poll (polls.id)"),
                _c("poll_title", "titolo della votazione", "poll title"),
                _c("kind", "yesno, choice o ranking", "yesno, choice or ranking"),
                _c("answer", "yes/no/abstain, oppure l'id dell'opzione", "yes/no/abstain, or the option id"),
                _c("label", "testo della risposta o dell'opzione", "label of the answer or option"),
                _c("position", "ordine sulla scheda", "order on the ballot"),
                _c("count", "voti (pesati se la votazione è ponderata); ranking: prime preferenze",
                   "votes (weighted if the poll is); ranking: first preferences"),
                _c("percentage", "percentuale sulle schede espresse", "percentage of the ballots cast"),
                _c("borda", "punteggio Borda (ranking)", "Borda score (ranking)"),
                _c("schulze_rank", "posto nella classifica Schulze, 1 = primo (ranking)", "Schulze rank, 1 = first (ranking)"),
                _c("winner", "vincitrice (choice: più votata; ranking: primo posto Schulze)",
                   "winner (choice: most voted; ranking: first Schulze tier)"),
                _c("voted", "schede espresse", "ballots cast"),
                _c("entitled", "aventi diritto", "entitled voters"),
                _c("quorum_reached", "quorum raggiunto", "quorum reached"),
                _c("passed", "approvata (yesno)", "passed (yesno)"),
            ), load_poll_results),
)


# --- writing the files --------------------------------------------------------------------------

def _csv_cell(value: Any) -> Any:
    """A value as a spreadsheet should see it: empty for null, true/false, JSON text for structures,
    and an apostrophe before text that would otherwise run as a formula (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(dataset: Dataset, rows: Sequence[Row]) -> bytes:
    """UTF-8 with a BOM (so Excel and LibreOffice read the accents), comma separated, header row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(dataset.column_names)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in dataset.column_names])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def to_json(dataset: Dataset, rows: Sequence[Row]) -> bytes:
    """A list of objects with the CSV's fields, in the CSV's order, with exact values."""
    ordered = [{name: row[name] for name in dataset.column_names} for row in rows]
    return (json.dumps(ordered, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def readme(generated_at: dt.datetime, counts: dict[str, int]) -> bytes:
    """README.md of the archive: licence, format, and every file and column in Italian and English."""
    when = isoformat(generated_at)
    lines = [
        "# Tavolo di Negoziazione: dati aperti / open data", "",
        f"Generato il / generated at: {when} (UTC)", "",
        f"Licenza / licence: **{LICENCE}** ({LICENCE_URL}). Citare / attribution: "
        "\"Tavolo di Negoziazione, dati aperti\".", "",
        "## Formato / format", "",
        "- IT: per ogni insieme di dati un file CSV (UTF-8 con BOM, separatore virgola, riga di intestazione) e un "
        "file JSON (lista di oggetti con gli stessi campi). Date e ore in ISO 8601 UTC; valori vuoti = assenti; "
        "booleani `true`/`false`. Nel CSV un testo che inizia con = + - @ è preceduto da un apostrofo perché il "
        "foglio di calcolo non lo esegua come formula; il JSON contiene il testo esatto.",
        "- EN: for each dataset a CSV file (UTF-8 with BOM, comma separated, header row) and a JSON file (a list of "
        "objects with the same fields). Dates and times in ISO 8601 UTC; empty = missing; booleans `true`/`false`. "
        "In the CSV a text starting with = + - @ gets a leading apostrophe so that spreadsheets do not run it as a "
        "formula; the JSON has the exact text.",
        "- `manifest.json`: SHA-256 e dimensione di ogni file / SHA-256 and size of every file.", "",
        "Nessun dato personale: niente e-mail, nomi di persone, codici di accesso, ricevute o schede di voto. "
        "No personal data: no e-mails, names of persons, access codes, receipts or ballots.", "",
    ]
    for dataset in DATASETS:
        lines += [
            f"## {dataset.name}.csv, {dataset.name}.json", "",
            f"- IT: {dataset.it}", f"- EN: {dataset.en}", f"- Righe / rows: {counts[dataset.name]}", "",
            "| colonna / column | significato | meaning |", "|---|---|---|",
            *(f"| `{c.name}` | {c.it} | {c.en} |" for c in dataset.columns), "",
        ]
    return "\n".join(lines).encode("utf-8")


def manifest(generated_at: dt.datetime, files: dict[str, bytes], counts: dict[str, int]) -> bytes:
    """manifest.json: whoever gets a copy of a file can check it against the archive it came from."""
    entries = []
    for path, content in files.items():
        entry: dict[str, Any] = {"path": path, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        stem, _dot, _ext = path.rpartition(".")
        if stem in counts:
            entry["rows"] = counts[stem]
        entries.append(entry)
    body = {"generated_at": isoformat(generated_at), "license": LICENCE, "license_url": LICENCE_URL, "files": entries}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def build_files(session: Session, generated_at: dt.datetime) -> dict[str, bytes]:
    """Every member of the archive, in its order: README.md, the datasets, manifest.json last."""
    data: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for dataset in DATASETS:
        rows = dataset.load(session)
        counts[dataset.name] = len(rows)
        data[f"{dataset.name}.csv"] = to_csv(dataset, rows)
        data[f"{dataset.name}.json"] = to_json(dataset, rows)
    files = {"README.md": readme(generated_at, counts), **data}
    files["manifest.json"] = manifest(generated_at, files, counts)
    return files


def build_export(session: Session, generated_at: dt.datetime) -> bytes:
    """The ZIP: members in a fixed order, each stamped with the generation time (deterministic bytes)."""
    stamp = generated_at.astimezone(dt.timezone.utc).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in build_files(session, generated_at).items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
