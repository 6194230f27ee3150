"""The chain's canonical encoding and verification, with no database or Flask dependency.

`docs/audit.md` documents the same algorithm and `scripts/verify_audit_log.py` reimplements it
with the standard library alone, so anyone can check an export without trusting this code.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = ("seq", "at", "actor", "action", "object", "data", "prev_hash")


def canonical_bytes(entry: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON of the chained fields, keys sorted, no spaces (RFC 8785-style for our types)."""
    body = {name: entry[name] for name in CHAINED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    length: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": self.ok, "length": self.length, "head": self.head}
        if not self.ok:
            data["broken_seq"] = self.broken_seq
            data["reason"] = self.reason
        return data


def verify_entries(entries: Iterable[Mapping[str, Any]]) -> Verification:
    """Walk public entries (as exported) in order and check sequence, links and hashes."""
    prev = GENESIS_HASH
    expected_seq = 1
    length = 0
    for entry in entries:
        seq = entry.get("seq")
        if seq != expected_seq:
            return Verification(False, length, prev, seq, f"expected seq {expected_seq}, found {seq}")
        if entry.get("prev_hash") != prev:
            return Verification(False, length, prev, seq, "prev_hash does not match the previous entry")
        if entry_hash(entry) != entry.get("hash"):
            return Verification(False, length, prev, seq, "hash does not match the entry's content")
        prev = entry["hash"]
        expected_seq += 1
        length += 1
    return Verification(True, length, prev)
