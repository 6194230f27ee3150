#!/usr/bin/env python3
"""Verify an export of Tavolo's audit log, independently of Tavolo.

    python3 verify_audit_log.py tavolo-audit.jsonl          # or: ... < tavolo-audit.jsonl, or "-"
    python3 verify_audit_log.py --head <hash> tavolo-audit.jsonl

Download the export from GET /api/v1/audit.jsonl (one JSON object per line, in chain order). The
script recomputes every entry's SHA-256 and every link to the previous entry, with the Python
standard library only (it does not import Tavolo), as docs/audit.md describes:

    hash = SHA-256 hex of the UTF-8 JSON of {seq, at, actor, action, object, data, prev_hash},
           keys sorted, separators "," and ":", non-ASCII characters kept as they are;
    the first entry has seq 1 and prev_hash "0" * 64; each next entry has seq + 1 and
    prev_hash = the previous entry's hash.

Prints "OK <length> <head>" and exits 0 when the whole file is intact; otherwise names the first
broken entry ("BROKEN seq <n> (line <k>): <reason>") and exits 1. A file cut short at the end
is still a valid chain: compare the printed head with one published elsewhere (the /audit page,
GET /api/v1/audit/verify, minutes), or pass it with --head.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from typing import IO, Any, Iterable

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = ("seq", "at", "actor", "action", "object", "data", "prev_hash")


def canonical_bytes(entry: dict[str, Any]) -> bytes:
    body = {name: entry[name] for name in CHAINED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


class Broken(Exception):
    def __init__(self, line: int, seq: Any, reason: str):
        super().__init__(reason)
        self.line, self.seq, self.reason = line, seq, reason

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "entry"
        return f"BROKEN {where} (line {self.line}): {self.reason}"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in a JSON object")
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(line: str, number: int) -> dict[str, Any]:
    try:
        entry = json.loads(line, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except ValueError as exc:
        raise Broken(number, None, f"not valid JSON ({exc})") from None
    if not isinstance(entry, dict):
        raise Broken(number, None, "not a JSON object")
    missing = [name for name in (*CHAINED_FIELDS, "hash") if name not in entry]
    if missing:
        raise Broken(number, entry.get("seq"), f"missing field(s): {', '.join(missing)}")
    return entry


def verify(lines: Iterable[str]) -> tuple[int, str]:
    """(length, head hash) of an intact chain; raises Broken at the first broken entry."""
    prev, expected_seq, length = GENESIS_HASH, 1, 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        entry = parse(line, number)
        seq = entry["seq"]
        if type(seq) is not int or seq != expected_seq:
            raise Broken(number, seq, f"expected seq {expected_seq}, found {seq!r} (an entry is missing or out of order)")
        if entry["prev_hash"] != prev:
            raise Broken(number, seq, "prev_hash is not the previous entry's hash")
        if entry_hash(entry) != entry["hash"]:
            raise Broken(number, seq, "hash does not match the entry's content (it was changed)")
        prev, expected_seq, length = entry["hash"], expected_seq + 1, length + 1
    return length, prev


def main(argv: list[str] | None = None, stdin: IO[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Tavolo audit log export (JSON Lines).")
    parser.add_argument("file", nargs="?", default="-", help="the .jsonl export; '-' or nothing reads stdin")
    parser.add_argument("--head", help="the head hash published elsewhere; the export must end with it")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            stream = stdin or sys.stdin
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(encoding="utf-8")
            length, head = verify(stream)
        else:
            with open(args.file, encoding="utf-8") as handle:
                length, head = verify(handle)
    except Broken as exc:
        print(exc)
        return 1
    except UnicodeDecodeError as exc:
        print(f"BROKEN entry: the file is not UTF-8 ({exc})")
        return 1
    if args.head and args.head != head:
        print(f"BROKEN head: the export ends at {head} (length {length}), not at the expected head {args.head}")
        return 1
    print(f"OK {length} {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
