from __future__ import annotations

import json
from itertools import islice
from typing import Iterator

import marshmallow as ma
from flask import Response, stream_with_context
from flask.views import MethodView

from app.audit.services import iter_public_entries, verify_chain
from app.core.api import api_blueprint
from app.core.routing import ID_MAX
from app.extensions import db

blp = api_blueprint("audit_api", __name__, "The public, hash-chained audit log")


class AuditEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    at = ma.fields.String()
    actor = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    object = ma.fields.String()
    data = ma.fields.Dict()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class AuditQuerySchema(ma.Schema):
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=ID_MAX))
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=5000))


class VerifySchema(ma.Schema):
    ok = ma.fields.Boolean()
    length = ma.fields.Integer()
    head = ma.fields.String()
    broken_seq = ma.fields.Integer()
    reason = ma.fields.String()


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, args):
        """Public entries after `after`, in chain order (page with `after` = last seq seen)."""
        entries = []
        for entry in iter_public_entries(db.session, after=args["after"]):
            entries.append(entry)
            if len(entries) >= args["limit"]:
                break
        return entries


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, VerifySchema)
    def get(self):
        """Recompute the chain on the server; `ok` false names the first broken entry."""
        return verify_chain(db.session).to_dict()


JSONL_MIMETYPE = "application/x-ndjson"
#: entries read per query while streaming the export
EXPORT_BATCH = 1000


def jsonl_lines() -> Iterator[str]:
    """Every public entry, in chain order, one compact JSON object per line (UTF-8)."""
    after = 0
    while True:
        batch = list(islice(iter_public_entries(db.session, after=after, batch=EXPORT_BATCH), EXPORT_BATCH))
        # End the read transaction between batches: on SQLite every transaction holds the write
        # lock, and a slow download must not block the table's writes until it finishes.
        db.session.rollback()
        if not batch:
            return
        for entry in batch:
            yield json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        after = batch[-1]["seq"]


@blp.route("/audit.jsonl")
class AuditExport(MethodView):
    @blp.doc(responses={"200": {
        "description": "The whole chain as JSON Lines: one public entry per line, in chain order "
                       "(the fields of GET /api/v1/audit). Check it with scripts/verify_audit_log.py.",
        "content": {JSONL_MIMETYPE: {"schema": {"type": "string"}}},
    }})
    def get(self):
        """Download the public audit log as JSON Lines, for independent verification (docs/audit.md)."""
        return Response(
            stream_with_context(jsonl_lines()), mimetype=JSONL_MIMETYPE,
            headers={"Content-Disposition": 'attachment; filename="tavolo-audit.jsonl"', "Cache-Control": "no-store"},
        )
