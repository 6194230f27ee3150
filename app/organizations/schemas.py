from __future__ import annotations

import marshmallow as ma

from app.core.api import StrictSchema
from app.core.db import isoformat
from app.organizations.models import Category


class AdhesionSchema(ma.Schema):
    id = ma.fields.Integer()
    organization_id = ma.fields.Integer()
    statement = ma.fields.String()
    representative_name = ma.fields.String()
    adhered_at = ma.fields.Function(lambda a: isoformat(a.adhered_at))
    withdrawn_at = ma.fields.Function(lambda a: isoformat(a.withdrawn_at))
    withdrawal_reason = ma.fields.String(allow_none=True)
    active = ma.fields.Function(lambda a: a.withdrawn_at is None)


class OrganizationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    short_name = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    place = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    weight = ma.fields.Integer()
    adhered = ma.fields.Function(lambda o: o.active_adhesion is not None)
    adhered_since = ma.fields.Function(lambda o: isoformat(o.active_adhesion.adhered_at) if o.active_adhesion else None)


class OrganizationCreateSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf([c.value for c in Category]))
    short_name = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40))
    place = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=120))
    website = ma.fields.URL(load_default=None, allow_none=True, validate=ma.validate.Length(max=300))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
    weight = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1000))


class AdhesionCreateSchema(StrictSchema):
    statement = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class WithdrawSchema(StrictSchema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
