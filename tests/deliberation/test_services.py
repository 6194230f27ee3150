"""The shared machinery on a subject that is not a proposal: revisions, comments, amendments."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.deliberation import services as ds
from app.deliberation.models import Amendment, Comment, CommentFlag, Revision
from app.deliberation.subjects import EXTENSION_KEY, SubjectKind, load_subject, register_subject
from tests.deliberation.factories import audit_actions, count, quick_user

MEMOS: dict[int, SimpleNamespace] = {}


def _apply(session, memo, revision):
    memo.title, memo.body, memo.applied = revision.title, revision.body, revision.number


@pytest.fixture
def memo(app_ctx):
    """A registered subject kind made of plain objects: the machinery needs no proposal."""
    register_subject(app_ctx, SubjectKind(
        type="memo", label="memo", load=lambda session, memo_id: MEMOS.get(memo_id),
        room=lambda m: f"memo:{m.id}", url=lambda m: f"/memos/{m.id}", apply_revision=_apply,
        can_view=lambda user, m: True, can_revise=lambda user, m: user.id == m.owner_id,
        accepts=lambda m, action: action not in m.closed,
    ))
    yield
    app_ctx.extensions[EXTENSION_KEY].pop("memo", None)
    MEMOS.clear()


@pytest.fixture
def people(session):
    owner = quick_user(session, name="Autrice")
    other = quick_user(session, name="Altro delegato")
    chair = quick_user(session, role="chair", name="Presidenza")
    observer = quick_user(session, role="observer", name="Osservatore")
    return SimpleNamespace(owner=owner, other=other, chair=chair, observer=observer)


def new_subject(session, people, body="Primo testo del memo."):
    memo = SimpleNamespace(id=len(MEMOS) + 1, owner_id=people.owner.id, closed=set(), applied=None)
    MEMOS[memo.id] = memo
    subject = load_subject(session, "memo", memo.id)
    ds.create_revision(session, people.owner, subject, title="Memo", body=body, reason="Prima versione")
    session.commit()
    return subject


def test_revisions_are_numbered_and_applied(session, memo, people):
    subject = new_subject(session, people)
    ds.revise(session, people.owner, subject, body="Secondo testo del memo.", reason="Più chiaro")
    ds.revise(session, people.owner, subject, title="Memo nuovo", reason="Titolo")
    session.commit()
    revisions = ds.list_revisions(session, subject)
    assert [r.number for r in revisions] == [1, 2, 3]
    assert subject.obj.applied == 3 and subject.obj.title == "Memo nuovo" and subject.obj.body == "Secondo testo del memo."
    assert revisions[1].reason == "Più chiaro" and revisions[1].author_id == people.owner.id
    diff = ds.diff_revisions(session, subject, 1, 2)
    assert {"op": "delete", "text": "Primo"} in diff["body"] and {"op": "insert", "text": "Secondo"} in diff["body"]
    assert audit_actions(session).count("deliberation.revision.created") == 3


def test_revise_refusals_change_nothing(session, memo, people):
    subject = new_subject(session, people)
    with pytest.raises(Forbidden):
        ds.revise(session, people.other, subject, body="Altro", reason="Perché sì")
    with pytest.raises(InvalidInput) as empty:
        ds.revise(session, people.owner, subject, body="   ", reason="Svuoto")
    assert empty.value.code == "empty_text"
    with pytest.raises(InvalidInput) as long:
        ds.revise(session, people.owner, subject, body="x" * (ds.BODY_MAX + 1), reason="Troppo")
    assert long.value.code == "text_too_long"
    with pytest.raises(InvalidInput) as same:
        ds.revise(session, people.owner, subject, body="Primo testo del memo.", reason="Nulla")
    assert same.value.code == "no_change"
    with pytest.raises(InvalidInput):
        ds.revise(session, people.owner, subject, body="Nuovo", reason="")
    subject.obj.closed.add("revise")
    with pytest.raises(Conflict):
        ds.revise(session, people.owner, subject, body="Nuovo", reason="Chiuso")
    session.rollback()
    assert count(session, Revision) == 1
    with pytest.raises(NotFound):
        ds.diff_revisions(session, subject, 1, 5)


def test_comment_threads_depth_and_alignment(session, memo, people):
    subject = new_subject(session, people)
    top = ds.add_comment(session, people.other, subject, "Sono d'accordo.", alignment="for")
    reply = ds.add_comment(session, people.owner, subject, "Grazie.", parent_id=top.id)
    third = ds.add_comment(session, people.chair, subject, "Terzo livello.", parent_id=reply.id, alignment="neutral")
    session.commit()
    assert (top.depth, reply.depth, third.depth) == (0, 1, 2)
    with pytest.raises(InvalidInput) as deep:
        ds.add_comment(session, people.other, subject, "Quarto livello.", parent_id=third.id)
    assert deep.value.code == "thread_too_deep"
    with pytest.raises(InvalidInput):
        ds.add_comment(session, people.other, subject, "Posizione strana.", alignment="maybe")
    with pytest.raises(InvalidInput):
        ds.add_comment(session, people.other, subject, "Risposta a nulla.", parent_id=9999)
    with pytest.raises(InvalidInput):
        ds.add_comment(session, people.other, subject, "")
    with pytest.raises(Forbidden):
        ds.add_comment(session, people.observer, subject, "Gli osservatori leggono.")
    with pytest.raises(Unauthorized):
        ds.add_comment(session, None, subject, "Anonimo.")
    session.rollback()
    assert count(session, Comment) == 3
    thread = ds.comment_thread(ds.list_comments(session, subject))
    assert [n.comment.id for n in thread] == [top.id]
    assert thread[0].replies[0].replies[0].comment.id == third.id


def test_edit_keeps_history_and_only_the_author_edits(session, memo, people):
    subject = new_subject(session, people)
    comment = ds.add_comment(session, people.other, subject, "Prima stesura.")
    session.commit()
    with pytest.raises(Forbidden):
        ds.edit_comment(session, people.owner, comment, "Riscritto da altri.")
    ds.edit_comment(session, people.other, comment, "Seconda stesura.")
    ds.edit_comment(session, people.other, comment, "Terza stesura.")
    session.commit()
    assert comment.body == "Terza stesura." and comment.edited_at is not None
    assert [e.previous_body for e in comment.edits] == ["Prima stesura.", "Seconda stesura."]
    assert audit_actions(session).count("deliberation.comment.edited") == 2


def test_flags_once_per_person_not_own(session, memo, people):
    subject = new_subject(session, people)
    comment = ds.add_comment(session, people.other, subject, "Un commento.")
    session.commit()
    ds.flag_comment(session, people.owner, comment, "Offensivo")
    session.commit()
    with pytest.raises(Conflict) as again:
        ds.flag_comment(session, people.owner, comment)
    assert again.value.code == "already_flagged"
    with pytest.raises(Forbidden):
        ds.flag_comment(session, people.other, comment)
    session.rollback()
    assert count(session, CommentFlag) == 1
    entry_data = _last_entry(session, "deliberation.comment.flagged")
    assert "Offensivo" not in str(entry_data)


def _last_entry(session, action):
    from app.audit.models import AuditEntry

    return session.scalar(sa.select(AuditEntry.data).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()))


def test_hiding_is_the_chairs_needs_a_reason_and_closes_the_thread(session, memo, people):
    subject = new_subject(session, people)
    comment = ds.add_comment(session, people.other, subject, "Testo fuori luogo.")
    reply = ds.add_comment(session, people.owner, subject, "Risposta.", parent_id=comment.id)
    session.commit()
    with pytest.raises(Forbidden):
        ds.hide_comment(session, people.owner, comment, "Non mi piace")
    with pytest.raises(InvalidInput):
        ds.hide_comment(session, people.chair, comment, "  ")
    session.rollback()
    assert comment.hidden_at is None
    ds.hide_comment(session, people.chair, comment, "Linguaggio offensivo")
    session.commit()
    assert comment.hidden and comment.hidden_by_id == people.chair.id
    assert _last_entry(session, "deliberation.comment.hidden")["reason"] == "Linguaggio offensivo"
    payload = ds.comment_payload(comment)
    assert payload["body"] is None and payload["body_html"] is None and payload["hidden_reason"] == "Linguaggio offensivo"
    with pytest.raises(Conflict) as hidden_thread:
        ds.add_comment(session, people.other, subject, "Rispondo comunque.", parent_id=reply.id)
    assert hidden_thread.value.code == "thread_hidden"
    with pytest.raises(Conflict):
        ds.edit_comment(session, people.other, comment, "Correggo.")
    with pytest.raises(Conflict):
        ds.hide_comment(session, people.chair, comment, "Di nuovo")


def test_closed_subject_refuses_comments_and_amendments(session, memo, people):
    subject = new_subject(session, people)
    subject.obj.closed.update({"comment", "amend"})
    with pytest.raises(Conflict) as comments:
        ds.add_comment(session, people.other, subject, "Troppo tardi.")
    assert comments.value.code == "comments_closed"
    with pytest.raises(Conflict) as amendments:
        ds.create_amendment(session, people.other, subject, body="Altro testo.", reason="Perché")
    assert amendments.value.code == "amendments_closed"


def test_amendment_lifecycle_accept(session, memo, people):
    subject = new_subject(session, people)
    amendment = ds.create_amendment(session, people.other, subject, body="Testo emendato.", reason="Meglio così",
                                    submit=False)
    session.commit()
    assert amendment.state == "draft"
    assert ds.list_amendments(session, subject, people.chair) == []
    assert ds.list_amendments(session, subject, people.other) == [amendment]
    with pytest.raises(NotFound):
        ds.get_amendment(session, amendment.id, people.chair)
    with pytest.raises(Conflict):
        ds.accept_amendment(session, people.chair, amendment)
    with pytest.raises(Forbidden):
        ds.submit_amendment(session, people.owner, amendment)
    ds.submit_amendment(session, people.other, amendment)
    session.commit()
    with pytest.raises(Forbidden):
        ds.accept_amendment(session, people.owner, amendment)
    with pytest.raises(Forbidden):
        ds.accept_amendment(session, people.other, amendment)
    session.rollback()
    assert amendment.state == "submitted" and count(session, Revision) == 1
    ds.accept_amendment(session, people.chair, amendment, "Deciso dal tavolo")
    session.commit()
    assert amendment.state == "accepted" and amendment.result_revision == 2
    current = ds.current_revision(session, subject)
    assert current.number == 2 and current.body == "Testo emendato." and current.amendment_id == amendment.id
    assert current.reason == "Meglio così" and subject.obj.body == "Testo emendato."
    with pytest.raises(Conflict):
        ds.reject_amendment(session, people.chair, amendment, "Ripensamento")
    with pytest.raises(Conflict):
        ds.withdraw_amendment(session, people.other, amendment)
    actions = audit_actions(session)
    assert actions[-2:] == ["deliberation.revision.created", "deliberation.amendment.accepted"]
    assert "deliberation.amendment.submitted" in actions


def test_amendment_reject_withdraw_and_bad_input(session, memo, people):
    subject = new_subject(session, people)
    with pytest.raises(InvalidInput) as same:
        ds.create_amendment(session, people.other, subject, body="Primo testo del memo.", reason="Nulla")
    assert same.value.code == "no_change"
    with pytest.raises(InvalidInput):
        ds.create_amendment(session, people.other, subject, body="Nuovo.", reason="")
    with pytest.raises(Forbidden):
        ds.create_amendment(session, people.observer, subject, body="Nuovo.", reason="Io")
    session.rollback()
    assert count(session, Amendment) == 0
    rejected = ds.create_amendment(session, people.other, subject, body="Nuovo A.", reason="A")
    withdrawn = ds.create_amendment(session, people.other, subject, body="Nuovo B.", reason="B")
    session.commit()
    with pytest.raises(InvalidInput):
        ds.reject_amendment(session, people.chair, rejected, "")
    ds.reject_amendment(session, people.chair, rejected, "Il tavolo ha votato contro")
    with pytest.raises(Forbidden):
        ds.withdraw_amendment(session, people.chair, withdrawn)
    ds.withdraw_amendment(session, people.other, withdrawn, "Superato")
    session.commit()
    assert (rejected.state, rejected.decision_reason) == ("rejected", "Il tavolo ha votato contro")
    assert withdrawn.state == "withdrawn" and withdrawn.withdrawn_at is not None
    # rejected and withdrawn amendments stay visible to everyone
    assert ds.list_amendments(session, subject, None) == [rejected, withdrawn]


def test_outdated_amendment_is_not_accepted(session, memo, people):
    subject = new_subject(session, people)
    amendment = ds.create_amendment(session, people.other, subject, body="Proposta su testo vecchio.", reason="R")
    title_only = ds.create_amendment(session, people.other, subject, body="Altra proposta.", reason="R2")
    ds.revise(session, people.owner, subject, title="Solo il titolo", reason="Titolo")
    session.commit()
    # the text the second amendment was written on is unchanged: it still applies
    ds.accept_amendment(session, people.chair, title_only)
    session.commit()
    with pytest.raises(Conflict) as outdated:
        ds.accept_amendment(session, people.chair, amendment)
    assert outdated.value.code == "amendment_outdated"
    session.rollback()
    assert amendment.state == "submitted" and ds.current_revision(session, subject).number == 3


def test_unknown_subjects_and_items(session, memo, people):
    with pytest.raises(NotFound):
        load_subject(session, "memo", 404)
    with pytest.raises(NotFound):
        load_subject(session, "nessuno", 1)
    with pytest.raises(NotFound):
        ds.get_comment(session, 12345)
    with pytest.raises(NotFound):
        ds.get_amendment(session, "1")
