"""HTML side of the shared machinery: what a subject's page shows, and the forms it posts to.

A subject's page (a proposal, a clause) calls `deliberation_context` and includes the partials in
templates/deliberation/; their forms post here and come back to the subject's page.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.diff import diff_html
from app.core.errors import DomainError, InvalidInput
from app.deliberation.forms import (
    AmendmentForm, CommentEditForm, CommentForm, FlagForm, ReasonForm, RequiredReasonForm,
)
from app.deliberation.labels import ALIGNMENT_LABELS, ALIGNMENT_SYMBOLS, AMENDMENT_STATE_LABELS
from app.deliberation.models import MAX_COMMENT_DEPTH, AmendmentState, Revision
from app.deliberation.permissions import (
    can_add_comment, can_create_amendment, can_decide_amendment, can_edit_comment, can_flag_comment,
    can_hide_comment, can_manage_amendment,
)
from app.deliberation.services import (
    accept_amendment, add_comment, amendment_diff, comment_thread, create_amendment,
    diff_revisions, edit_comment, flag_comment, get_amendment, get_comment, hide_comment, list_amendments,
    list_comments, list_revisions, reject_amendment, require_visible, subject_of, submit_amendment,
    withdraw_amendment,
)
from app.deliberation.subjects import Subject, load_subject
from app.extensions import db

bp = Blueprint("deliberation", __name__, url_prefix="/deliberation")


def _diff_numbers(numbers: list[int]) -> tuple[int | None, int | None]:
    """The pair of revisions to compare: ?from=&to= when valid, else the last two."""
    asked_from = request.args.get("from", type=int)
    asked_to = request.args.get("to", type=int)
    if asked_from in numbers and asked_to in numbers:
        return asked_from, asked_to
    if len(numbers) >= 2:
        return numbers[-2], numbers[-1]
    return None, None


def revision_form_page(form: FlaskForm, revise: Callable[[], Revision], *, done_url: str, template: str,
                       **context: Any) -> Any:
    """GET/POST of a page that edits a subject's text: on a valid post `revise()` makes the revision,
    committed and announced, then back to the subject's revisions; a refusal is rolled back and
    flashed above the form as typed (422)."""
    if form.validate_on_submit():
        try:
            revision = revise()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Modifica salvata come revisione %(n)d.", n=revision.number), "success")
            return redirect(f"{done_url}#revisions", code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def deliberation_context(session: Any, user: Any, subject: Subject) -> dict[str, Any]:
    """Everything the partials need: revisions and a diff, amendments, the comment thread, forms."""
    revisions = list_revisions(session, subject)
    numbers = [r.number for r in revisions]
    diff_from, diff_to = _diff_numbers(numbers)
    diff = None
    if diff_from is not None:
        ops = diff_revisions(session, subject, diff_from, diff_to)
        diff = {"title": diff_html(ops["title"]), "body": diff_html(ops["body"]),
                "changed": any(op["op"] != "equal" for op in ops["title"] + ops["body"])}
    current = revisions[-1] if revisions else None
    amendments = list_amendments(session, subject, user)
    comments = list_comments(session, subject)
    amendment_form = AmendmentForm(prefix="amend")
    if current is not None and not amendment_form.body.data:
        amendment_form.body.data = current.body
    return {
        "subject": subject,
        "revisions": revisions,
        "current_revision": current,
        "diff": diff,
        "diff_from": diff_from,
        "diff_to": diff_to,
        "amendments": [
            {"amendment": a, "diff": {k: diff_html(v) for k, v in amendment_diff(session, a).items()},
             "outdated": current is not None and a.base_revision != current.number}
            for a in amendments
        ],
        "thread": comment_thread(comments),
        "comment_count": len(comments),
        "max_depth": MAX_COMMENT_DEPTH,
        "alignment_labels": ALIGNMENT_LABELS,
        "alignment_symbols": ALIGNMENT_SYMBOLS,
        "alignment_texts": {key: str(label) for key, label in ALIGNMENT_LABELS.items()},
        "amendment_state_labels": AMENDMENT_STATE_LABELS,
        "submitted_state": AmendmentState.SUBMITTED.value,
        "draft_state": AmendmentState.DRAFT.value,
        "may": {
            "comment": can_add_comment(user, subject) and subject.accepts("comment"),
            "amend": can_create_amendment(user, subject) and subject.accepts("amend"),
            "moderate": can_hide_comment(user, subject),
            "decide": can_decide_amendment(user, subject),
            "edit_comment": lambda c: can_edit_comment(user, c) and not c.hidden and subject.accepts("comment"),
            "flag_comment": lambda c: can_flag_comment(user, c) and not c.hidden,
            "manage_amendment": lambda a: can_manage_amendment(user, a),
        },
        "forms": {
            "comment": CommentForm(prefix="comment"),
            "reply": lambda c: CommentForm(prefix=f"reply-{c.id}", formdata=None),
            "edit": lambda c: CommentEditForm(prefix=f"edit-{c.id}", formdata=None, data={"body": c.body}),
            "flag": lambda c: FlagForm(prefix=f"flag-{c.id}", formdata=None),
            "hide": lambda c: RequiredReasonForm(prefix=f"hide-{c.id}", formdata=None),
            "amend": amendment_form,
            "decide": lambda a, action: (RequiredReasonForm if action == "reject" else ReasonForm)(
                prefix=f"{action}-{a.id}", formdata=None),
        },
    }


def validated_form(form: FlaskForm) -> FlaskForm:
    """A posted form, or a 422 page naming what is wrong (nothing is changed)."""
    if not form.validate_on_submit():
        fields = {name: errors for name, errors in form.errors.items()}
        raise InvalidInput(_("Dati non validi: controlla il modulo e riprova."), fields=fields)
    return form


def _back(subject: Subject, anchor: str, message: str) -> Any:
    flash(message, "success")
    return redirect(f"{subject.url}#{anchor}", code=303)


def _visible(subject: Subject) -> Subject:
    return require_visible(current_user, subject)


@bp.post("/<subject_type>/<int:subject_id>/comments")
@login_required
def add_comment_view(subject_type: str, subject_id: int):
    subject = _visible(load_subject(db.session, subject_type, subject_id))
    form = validated_form(CommentForm(prefix="comment"))
    comment = add_comment(db.session, current_user, subject, form.body.data, alignment=form.alignment.data or None)
    db.session.commit()
    return _back(subject, f"comment-{comment.id}", _("Commento pubblicato."))


@bp.post("/comments/<int:comment_id>/replies")
@login_required
def reply_view(comment_id: int):
    parent = get_comment(db.session, comment_id)
    subject = _visible(subject_of(db.session, parent))
    form = validated_form(CommentForm(prefix=f"reply-{comment_id}"))
    comment = add_comment(db.session, current_user, subject, form.body.data, parent_id=parent.id,
                          alignment=form.alignment.data or None)
    db.session.commit()
    return _back(subject, f"comment-{comment.id}", _("Risposta pubblicata."))


def _perform(item: Any, kind: str, action: str, actions: dict[str, tuple[type, Callable, Any]]) -> Any:
    """Run a named action on a comment or an amendment from its form, then back to the subject's page."""
    form_class, act, message = actions[action]
    subject = _visible(subject_of(db.session, item))
    form = validated_form(form_class(prefix=f"{action}-{item.id}"))
    act(item, form)
    db.session.commit()
    return _back(subject, f"{kind}-{item.id}", str(message))


#: comment actions by name: (form, service call, message); the form's prefix is "<name>-<comment id>"
COMMENT_ACTIONS: dict[str, tuple[type, Callable, Any]] = {
    "edit": (CommentEditForm, lambda c, f: edit_comment(db.session, current_user, c, f.body.data),
             _l("Commento modificato; la versione precedente resta nella cronologia.")),
    "flag": (FlagForm, lambda c, f: flag_comment(db.session, current_user, c, f.reason.data or ""),
             _l("Segnalazione inviata alla moderazione.")),
    "hide": (RequiredReasonForm, lambda c, f: hide_comment(db.session, current_user, c, f.reason.data),
             _l("Commento nascosto dalla moderazione.")),
}


@bp.post("/comments/<int:comment_id>/<any(edit, flag, hide):action>")
@login_required
def comment_action(comment_id: int, action: str):
    return _perform(get_comment(db.session, comment_id), "comment", action, COMMENT_ACTIONS)


@bp.post("/<subject_type>/<int:subject_id>/amendments")
@login_required
def create_amendment_view(subject_type: str, subject_id: int):
    subject = _visible(load_subject(db.session, subject_type, subject_id))
    form = validated_form(AmendmentForm(prefix="amend"))
    amendment = create_amendment(db.session, current_user, subject, body=form.body.data, reason=form.reason.data,
                                 title=form.title.data or None, submit=not form.draft.data)
    db.session.commit()
    message = _("Bozza di emendamento salvata.") if form.draft.data else _("Emendamento presentato.")
    return _back(subject, f"amendment-{amendment.id}", message)


#: amendment actions by name: (form, service call, message); the form's prefix is "<name>-<amendment id>"
AMENDMENT_ACTIONS: dict[str, tuple[type, Callable, Any]] = {
    "submit": (ReasonForm, lambda a, f: submit_amendment(db.session, current_user, a), _l("Emendamento presentato.")),
    "withdraw": (ReasonForm, lambda a, f: withdraw_amendment(db.session, current_user, a, f.reason.data or ""),
                 _l("Emendamento ritirato.")),
    "accept": (ReasonForm, lambda a, f: accept_amendment(db.session, current_user, a, f.reason.data or ""),
               _l("Emendamento accolto: il testo ha una nuova revisione.")),
    "reject": (RequiredReasonForm, lambda a, f: reject_amendment(db.session, current_user, a, f.reason.data),
               _l("Emendamento respinto.")),
}


@bp.post("/amendments/<int:amendment_id>/<any(submit, withdraw, accept, reject):action>")
@login_required
def amendment_action(amendment_id: int, action: str):
    return _perform(get_amendment(db.session, amendment_id, current_user), "amendment", action, AMENDMENT_ACTIONS)
