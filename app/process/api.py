from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _

from app.core.api import api_blueprint
from app.core.errors import NotFound
from app.extensions import db
from app.process.services import current_process, list_axes

blp = api_blueprint("process_api", __name__, "The participatory process, its phases and priority axes")


class AxisSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    position = ma.fields.Integer()


class PhaseSchema(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    position = ma.fields.Integer()
    starts_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)


class ProcessSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    promoter = ma.fields.String()
    summary = ma.fields.String()
    phases = ma.fields.List(ma.fields.Nested(PhaseSchema))
    axes = ma.fields.List(ma.fields.Nested(AxisSchema))


@blp.route("/process")
class ProcessItem(MethodView):
    @blp.response(200, ProcessSchema)
    def get(self):
        """The process served by this instance, with its phases and priority axes."""
        process = current_process(db.session)
        if process is None:
            raise NotFound(_("Nessun percorso configurato."))
        return process


@blp.route("/axes")
class Axes(MethodView):
    @blp.response(200, AxisSchema(many=True))
    def get(self):
        """The priority axes of the plan."""
        return list_axes(db.session)
