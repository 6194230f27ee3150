"""JSON API of the records: a meeting's verbale, the DocPP and the decision register."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from app.core.api import api_blueprint
from app.deliberation.api import add_subject_routes
from app.extensions import db
from app.meetings.services import get_meeting
from app.records import docpp, services
from app.records.schemas import (
    DecisionQuerySchema, DecisionSchema, DocumentSchema, MinutesPatchSchema, MinutesSchema,
)

blp = api_blueprint("records_api", __name__, "Records: the verbale of each meeting and the decision register")


@blp.route("/meetings/<int:meeting_id>/minutes")
class MeetingMinutes(MethodView):
    @blp.response(200, MinutesSchema)
    def get(self, meeting_id: int):
        """Approved minutes (anyone) or the draft (chair); 409 while the meeting is open."""
        return services.visible_minutes(db.session, current_user, get_meeting(db.session, meeting_id))

    @blp.response(201, MinutesSchema)
    def post(self, meeting_id: int):
        """The chair drafts the minutes of a closed meeting from its record."""
        minutes = services.draft_minutes(db.session, current_user, get_meeting(db.session, meeting_id))
        db.session.commit()
        return minutes

    @blp.arguments(MinutesPatchSchema)
    @blp.response(200, MinutesSchema)
    def patch(self, data, meeting_id: int):
        """The chair edits the draft: a new revision with a reason (409 minutes_frozen once approved)."""
        minutes = services.visible_minutes(db.session, current_user, get_meeting(db.session, meeting_id))
        services.revise_minutes(db.session, current_user, minutes, body=data["body"], reason=data["reason"])
        db.session.commit()
        return minutes


@blp.route("/docpp")
class Document(MethodView):
    @blp.response(200, DocumentSchema)
    def get(self):
        """The DocPP: validated (anyone) or the draft (the table: members, chair, observers)."""
        return docpp.visible_document(db.session, current_user)

    @blp.response(201, DocumentSchema)
    def post(self):
        """The chair composes the DocPP from the record of the path (accepted proposals, votes, meetings)."""
        document = docpp.draft_document(db.session, current_user)
        db.session.commit()
        return document

    @blp.arguments(MinutesPatchSchema)
    @blp.response(200, DocumentSchema)
    def patch(self, data):
        """The chair edits the draft: a new revision with a reason (409 document_frozen once validated)."""
        document = docpp.visible_document(db.session, current_user)
        docpp.revise_document(db.session, current_user, document, body=data["body"], reason=data["reason"])
        db.session.commit()
        return document


@blp.route("/decisions")
class Decisions(MethodView):
    @blp.arguments(DecisionQuerySchema, location="query")
    @blp.response(200, DecisionSchema(many=True))
    def get(self, args):
        """Every closed poll with its outcome and consequence, newest first; `q` searches titles."""
        return services.decisions(db.session, query=args["q"], outcome=args["outcome"])


# revisions and diffs of a verbale by its id: /api/v1/minutes/<id>/revisions, /diff, /comments, /amendments
add_subject_routes(blp, "/minutes", services.SUBJECT_TYPE)
# and of the DocPP: /api/v1/documents/<id>/revisions, /diff, /comments, /amendments
add_subject_routes(blp, "/documents", docpp.SUBJECT_TYPE)
