from __future__ import annotations

import marshmallow as ma

from app.core.api import StrictSchema, id_field


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String(allow_none=True)
    name = ma.fields.String()
    role = ma.fields.String()
    organization_id = ma.fields.Integer(allow_none=True)
    member_kind = ma.fields.String(allow_none=True)


class TokenRequestSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class TokenResponseSchema(ma.Schema):
    token = ma.fields.String()
    user = ma.fields.Nested(UserSchema)


ROLES = ["admin", "chair", "member", "observer"]


class UserCreateSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    password = ma.fields.String(load_default=None, validate=ma.validate.Length(min=10, max=200))
    organization_id = id_field(load_default=None, allow_none=True)
    member_kind = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(["delegate", "substitute"]))


class InvitationCreateSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    organization_id = id_field(load_default=None, allow_none=True)
    member_kind = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(["delegate", "substitute"]))


class InvitationSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    role = ma.fields.String()
    organization_id = ma.fields.Integer(allow_none=True)
    expires_at = ma.fields.String()
    link = ma.fields.String()
