from __future__ import annotations

from flask import Blueprint, render_template, request

from app.audit.services import chain_head, filtered_entries, verify_chain
from app.core.routing import id_arg
from app.extensions import db

bp = Blueprint("audit", __name__)

PAGE = 200


@bp.get("/audit")
def audit_page():
    after = id_arg("after") or 0
    object_ref = (request.args.get("object") or "").strip()[:80]
    action = (request.args.get("action") or "").strip()[:80]
    entries = filtered_entries(db.session, after=after, object_ref=object_ref, action_prefix=action, limit=PAGE)
    verification = verify_chain(db.session) if request.args.get("verify") else None
    return render_template("audit/index.html", entries=entries, verification=verification, after=after,
                           object_ref=object_ref, action=action, head=chain_head(db.session), page=PAGE)
