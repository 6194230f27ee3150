from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.core.errors import Conflict
from app.core.permissions import is_authenticated, require
from app.extensions import db
from app.meetings.services import get_meeting
from app.votes.batching import ballot_writer
from app.votes.export import results_csv
from app.votes.loading import load_poll
from app.votes.schemas import (
    BallotSchema, CorrectionCreateSchema, CorrectionSchema, PollCreateSchema, PollListQuerySchema, PollSchema,
    PollUpdateSchema, ProxyCreateSchema, ProxyRevokeSchema, ProxySchema, ReceiptCheckSchema, ReceiptSchema,
)
from app.votes.services import (
    check_receipt, close_poll, correction_dict, create_poll, create_proxy, list_poll_dicts, list_polls,
    list_proxies, open_poll, poll_dict, proxy_dict, publish_correction, revoke_proxy, tick, update_poll,
)

blp = api_blueprint("votes_api", __name__, "Polls: yes/no motions, choices and rankings; ballots, proxies, results")


def _poll_response(poll):
    return poll_dict(db.session, poll, current_user)


@blp.route("/polls")
class Polls(MethodView):
    @blp.arguments(PollListQuerySchema, location="query")
    @blp.response(200, PollSchema(many=True))
    def get(self, args):
        """Polls, newest first (`?meeting_id=`, `?state=`); drafts only for the chair."""
        if tick(db.session):
            db.session.commit()
        polls = list_polls(db.session, current_user, meeting_id=args.get("meeting_id"), state=args.get("state"))
        return list_poll_dicts(db.session, polls)

    @blp.arguments(PollCreateSchema)
    @blp.response(201, PollSchema)
    def post(self, data):
        """Create a draft poll (chair)."""
        poll = create_poll(db.session, current_user, **data)
        db.session.commit()
        return _poll_response(poll)


@blp.route("/polls/<int:poll_id>")
class PollItem(MethodView):
    @blp.response(200, PollSchema)
    def get(self, poll_id: int):
        """The poll: `counts` while open (unless hidden), `result` once closed."""
        return _poll_response(load_poll(poll_id, current_user))

    @blp.arguments(PollUpdateSchema)
    @blp.response(200, PollSchema)
    def patch(self, data, poll_id: int):
        """Edit a draft (chair)."""
        poll = update_poll(db.session, current_user, load_poll(poll_id, current_user), **data)
        db.session.commit()
        return _poll_response(poll)


@blp.route("/polls/<int:poll_id>/open")
class PollOpen(MethodView):
    @blp.response(200, PollSchema)
    def post(self, poll_id: int):
        """Open the poll and freeze its roll (chair; opening an open poll changes nothing)."""
        poll = open_poll(db.session, current_user, load_poll(poll_id, current_user))
        db.session.commit()
        return _poll_response(poll)


@blp.route("/polls/<int:poll_id>/close")
class PollClose(MethodView):
    @blp.response(200, PollSchema)
    def post(self, poll_id: int):
        """Close the poll and publish its result (chair; closing a closed poll changes nothing)."""
        poll = close_poll(db.session, current_user, load_poll(poll_id, current_user))
        db.session.commit()
        return _poll_response(poll)


@blp.route("/polls/<int:poll_id>/ballots")
class PollBallots(MethodView):
    @blp.arguments(BallotSchema)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(403, description="not_entitled, vote_delegated")
    @blp.alt_response(409, description="poll_not_open, already_voted")
    def post(self, data, poll_id: int):
        """Cast the caller's ballot (or, with `on_behalf_of`, the ballot of an organization whose proxy
        the caller's organization holds); returns the receipt code, shown once."""
        require(is_authenticated(current_user), current_user)
        poll_id = load_poll(poll_id, current_user).id
        # group commit with the ballots arriving at the same time (app.votes.batching); after the commit
        receipt = ballot_writer().submit(db.session, current_user.id, poll_id, data)
        return {"poll_id": poll_id, "receipt": receipt}


@blp.route("/polls/<int:poll_id>/receipts/<string:code>")
class PollReceipt(MethodView):
    @blp.response(200, ReceiptCheckSchema)
    def get(self, poll_id: int, code: str):
        """Whether the ballot with this receipt is recorded and counted (named polls: its content)."""
        return check_receipt(db.session, load_poll(poll_id, current_user), code)


@blp.route("/polls/<int:poll_id>/corrections")
class PollCorrections(MethodView):
    @blp.response(200, CorrectionSchema(many=True))
    def get(self, poll_id: int):
        return [correction_dict(c) for c in load_poll(poll_id, current_user).corrections]

    @blp.arguments(CorrectionCreateSchema)
    @blp.response(201, CorrectionSchema)
    def post(self, data, poll_id: int):
        """Publish a correction notice beside a closed poll (chair)."""
        notice = publish_correction(db.session, current_user, load_poll(poll_id, current_user), data["text"])
        db.session.commit()
        return correction_dict(notice)


@blp.route("/polls/<int:poll_id>/results.csv")
class PollResultsCsv(MethodView):
    @blp.response(200, content_type="text/csv", description="UTF-8 with BOM, `;`-separated (Italian Excel)")
    def get(self, poll_id: int):
        """The result of a closed poll as CSV, with the named ballots (never those of a secret poll)."""
        poll = load_poll(poll_id, current_user)
        if poll.state != "closed":
            from flask_babel import gettext as _

            raise Conflict(_("I risultati sono disponibili alla chiusura."), code="poll_not_closed")
        body = results_csv(db.session, poll)
        return Response(body.encode("utf-8"), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="votazione-{poll.id}-risultati.csv"',
        })


@blp.route("/meetings/<int:meeting_id>/proxies")
class MeetingProxies(MethodView):
    @blp.response(200, ProxySchema(many=True))
    def get(self, meeting_id: int):
        """Active proxies of the meeting (public: who votes for whom is part of the record)."""
        meeting = get_meeting(db.session, meeting_id)
        return [proxy_dict(p) for p in list_proxies(db.session, meeting.id)]

    @blp.arguments(ProxyCreateSchema)
    @blp.response(201, ProxySchema)
    def post(self, data, meeting_id: int):
        """Record a proxy: `principal_id` delegates its vote to `delegate_id` for this meeting (chair)."""
        meeting = get_meeting(db.session, meeting_id)
        proxy = create_proxy(db.session, current_user, meeting, **data)
        db.session.commit()
        return proxy_dict(proxy)

    @blp.response(200, ProxySchema)
    def delete(self, meeting_id: int):
        """Revoke the active proxy of `principal_id` (JSON body or query string) (chair)."""
        meeting = get_meeting(db.session, meeting_id)
        body = request.get_json(silent=True) if request.data else None
        data = ProxyRevokeSchema().load(body if body is not None else {
            k: int(v) if v.isdigit() else v for k, v in request.args.items()})
        proxy = revoke_proxy(db.session, current_user, meeting, principal_id=data["principal_id"])
        db.session.commit()
        return proxy_dict(proxy)
