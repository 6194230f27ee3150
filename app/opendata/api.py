"""`GET /api/v1/export.zip`: the open-data export, for anyone (no login: it holds public data only)."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.core.api import api_blueprint
from app.core.db import utcnow
from app.extensions import db
from app.opendata.export import build_export

blp = api_blueprint("opendata_api", __name__, "Open data: every public dataset of the table as CSV and JSON")


@blp.route("/export.zip")
class ExportZip(MethodView):
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip")
    def get(self) -> Response:
        """A ZIP with a CSV and a JSON file per dataset, README.md (columns, licence CC BY 4.0) and
        manifest.json (SHA-256 of every file). No personal data: see docs/opendata.md."""
        now = utcnow()
        payload = build_export(db.session, now)
        filename = f"tavolo-open-data-{now:%Y%m%d-%H%M%S}.zip"
        return Response(payload, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # the same bytes for every visitor: nothing personal, so shared caches may keep it briefly
            "Cache-Control": "public, max-age=60",
        })
