"""Random secrets shown once and stored only as hashes (API tokens, invitations, access codes)."""
from __future__ import annotations

import hashlib
import secrets


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    """SHA-256 is enough here: secrets are random and long, unlike passwords."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
