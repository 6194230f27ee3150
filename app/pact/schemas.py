"""Request and response shapes of the pact's API (interface.md: Pact)."""
from __future__ import annotations

import marshmallow as ma

from app.core.api import StrictSchema, id_field
from app.core.db import isoformat
from app.core.markdown import render_markdown
from app.deliberation.schemas import organization_ref
from app.pact.services import POSITIONS

TEXT_MAX = 200_000


class ClauseSchema(ma.Schema):
    id = ma.fields.Integer()
    pact_id = ma.fields.Integer()
    section_id = ma.fields.Integer()
    number = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String(metadata={"description": "Markdown of the current revision"})
    body_html = ma.fields.Function(lambda c: str(render_markdown(c.body)))
    commitments = ma.fields.Function(lambda c: c.commitment_list)
    revision = ma.fields.Integer()
    updated_at = ma.fields.Function(lambda c: isoformat(c.updated_at))


class SectionSchema(ma.Schema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    title = ma.fields.String()
    clauses = ma.fields.List(ma.fields.Nested(ClauseSchema))


class VersionSchema(ma.Schema):
    number = ma.fields.Integer()
    sha256 = ma.fields.String(metadata={"description": "SHA-256 (hex) of the canonical text, UTF-8"})
    frozen_at = ma.fields.Function(lambda v: isoformat(v.frozen_at))


class VersionTextSchema(VersionSchema):
    canonical_text = ma.fields.String()


class PactSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    sections = ma.fields.List(ma.fields.Nested(SectionSchema))
    versions = ma.fields.List(ma.fields.Nested(VersionSchema))


class PactSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    versions = ma.fields.List(ma.fields.Nested(VersionSchema))


class PactImportSchema(StrictSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    markdown = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=TEXT_MAX))


class ClausePatchSchema(StrictSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    body = ma.fields.String(validate=ma.validate.Length(min=1, max=TEXT_MAX))
    commitments = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=2000)),
                                 metadata={"description": "replaces the commitments asked of signatories"})
    reason = ma.fields.String(required=True)


class EndorsementInputSchema(StrictSchema):
    position = ma.fields.String(required=True, validate=ma.validate.OneOf(POSITIONS))
    note = ma.fields.String(load_default="")


class EndorsementSchema(ma.Schema):
    clause_id = ma.fields.Integer()
    organization = ma.fields.Function(lambda e: organization_ref(e.organization))
    position = ma.fields.String(metadata={"enum": list(POSITIONS)})
    note = ma.fields.String()
    created_at = ma.fields.Function(lambda e: isoformat(e.created_at))


class SignInputSchema(StrictSchema):
    version = id_field(required=True, metadata={"description": "number of the frozen version signed"})
    declaration = ma.fields.String(load_default="")
    organization_id = id_field(load_default=None)


class WithdrawInputSchema(StrictSchema):
    reason = ma.fields.String(load_default="")


class SignatureSchema(ma.Schema):
    id = ma.fields.Integer()
    organization = ma.fields.Function(lambda s: organization_ref(s.organization))
    version = ma.fields.Function(lambda s: s.version.number)
    sha256 = ma.fields.Function(lambda s: s.version.sha256)
    declaration = ma.fields.String()
    founding = ma.fields.Boolean(metadata={"description": "signed version 1; later ones are adhesions"})
    signed_at = ma.fields.Function(lambda s: isoformat(s.signed_at))
    withdrawn_at = ma.fields.Function(lambda s: isoformat(s.withdrawn_at))
    withdrawal_reason = ma.fields.String(allow_none=True)
