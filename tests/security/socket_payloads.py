"""Hostile payloads for the /live Socket.IO events: a fixed corpus and hypothesis strategies.

Every payload is what a client can really put on the wire (Socket.IO's JSON plus binary
attachments): non-objects (lists, strings, numbers, null, bytes), objects with the right keys and
wrong types, huge strings and integers, ids that exist but belong to another meeting, and unknown
keys. `KnownIds` carries the ids of the objects that exist, so that many payloads pass validation
and reach the services, where cross-meeting and permission checks live.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

HUGE_STRING = "x" * 100_000
#: integers around the edges of int32/int64 and beyond, where drivers and columns overflow
EDGE_INTEGERS: tuple[int, ...] = (0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63), 10**30)
TRICKY_STRINGS: tuple[str, ...] = (
    "", "1", "1.0", "null", "true", "[]", "{}", "proposal:1", "poll:1", "pact:1", "meeting:1",
    "proposal:99999999999", "Proposal:1", "proposal:01", "proposal:1\n", "<script>alert(1)</script>",
    "'; DROP TABLE meetings; --", "\x00", "\u202e\u0301", HUGE_STRING,
)
#: per field, wrong values tried one field at a time on an otherwise valid payload
FIELD_OVERRIDES: tuple[Any, ...] = (2**31, 2**63, -1, HUGE_STRING, "1", 1.5, None, [], {"id": 1}, True)
SPEAKER_KINDS = ("contribution", "reply", "point_of_order")
YESNO = ("yes", "no", "abstain")
TOPIC_KINDS = ("proposal", "pact", "poll", "meeting", "user", "x" * 41)

#: the fields each known event reads (interface.md and the handlers' schemas)
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "join_meeting": ("meeting_id",),
    "resync": ("meeting_id", "since"),
    "request_to_speak": ("meeting_id", "kind"),
    "withdraw_request": ("meeting_id", "speaker_id"),
    "check_in": ("meeting_id", "user_id", "present"),
    "set_current_item": ("meeting_id", "item_id"),
    "give_floor": ("meeting_id", "speaker_id"),
    "end_speech": ("meeting_id", "speaker_id"),
    "close_speakers": ("meeting_id",),
    "open_speakers": ("meeting_id",),
    "subscribe": ("topic",),
    "unsubscribe": ("topic",),
    "cast_ballot": ("poll_id", "choice", "choices", "ranking"),
    "watch_poll": ("poll_id",),
}
#: an event nobody declared here yet is fuzzed with every field any event reads
ALL_FIELDS: tuple[str, ...] = tuple(sorted({name for names in EVENT_FIELDS.values() for name in names}))


@dataclass(frozen=True)
class KnownIds:
    """Ids of objects that exist (of every meeting), and a valid value per field for the base payloads."""

    meetings: list[int]
    items: list[int]
    speakers: list[int]
    users: list[int]
    polls: list[int]
    options: list[int]
    topics: list[str]
    defaults: dict[str, Any] = field(default_factory=dict)


def fields_of(event: str) -> tuple[str, ...]:
    return EVENT_FIELDS.get(event, ALL_FIELDS)


def base_payload(event: str, ids: KnownIds) -> dict[str, Any]:
    """A payload with every field of the event set to a plausible value (ballots: one `choice`)."""
    names = [n for n in fields_of(event) if n not in ("choices", "ranking")]
    return {name: ids.defaults[name] for name in names if name in ids.defaults}


# ---- the fixed corpus: the cases the issue names, always sent ----------------------------------------

def fixed_cases(event: str, ids: KnownIds) -> list[tuple[Any, ...]]:
    """Argument tuples for one event: each named hostile case, deterministic."""
    base = base_payload(event, ids)
    cases: list[tuple[Any, ...]] = [
        (), (None,), ([],), ([base],), ("x",), (HUGE_STRING,), (0,), (-1,), (2**63,), (1.5,), (True,),
        (b"\x00\xff",), ({},), (base, base), (base, "extra"),
        ({**base, "unknown": 1},), ({**base, HUGE_STRING[:1000]: HUGE_STRING},),
    ]
    for name in fields_of(event):
        cases += [({**base, name: value},) for value in FIELD_OVERRIDES]
    for name, pool in (("meeting_id", ids.meetings), ("item_id", ids.items), ("speaker_id", ids.speakers),
                       ("user_id", ids.users), ("poll_id", ids.polls)):
        if name in fields_of(event):  # every object of every meeting, including the other meetings'
            cases += [({**base, name: value},) for value in pool]
    return cases


# ---- hypothesis strategies -----------------------------------------------------------------------

def hostile_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from(EDGE_INTEGERS),
        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30), st.sampled_from(TRICKY_STRINGS),
        st.binary(max_size=16),
    )


def hostile_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        hostile_scalars(),
        st.lists(hostile_scalars(), max_size=4),
        st.dictionaries(st.text(max_size=8), hostile_scalars(), max_size=3),
    )


def _topics(ids: KnownIds) -> st.SearchStrategy[str]:
    numbers = st.one_of(st.integers(min_value=-5, max_value=10**11), st.sampled_from(EDGE_INTEGERS))
    built = st.builds(lambda kind, n: f"{kind}:{n}", st.sampled_from(TOPIC_KINDS), numbers)
    return st.one_of(st.sampled_from(ids.topics), built, st.from_regex(r"\A[a-z_]{1,6}:[0-9]{1,12}\Z"))


def plausible_values(name: str, ids: KnownIds) -> st.SearchStrategy[Any]:
    """Values of the right type for a field, mostly naming objects that exist (in any meeting)."""
    options = st.sampled_from(ids.options) if ids.options else st.integers(min_value=1, max_value=50)
    pools = {
        "meeting_id": st.sampled_from(ids.meetings),
        "item_id": st.sampled_from(ids.items) | st.none(),
        "speaker_id": st.sampled_from(ids.speakers) | st.none(),
        "user_id": st.sampled_from(ids.users) | st.none(),
        "present": st.booleans(),
        "since": st.integers(min_value=0, max_value=10_000),
        "kind": st.sampled_from(SPEAKER_KINDS),
        "topic": _topics(ids),
        "poll_id": st.sampled_from(ids.polls),
        "choice": st.sampled_from(YESNO) | options,
        "choices": st.lists(options, max_size=4),
        "ranking": st.lists(options, max_size=6),
    }
    return pools.get(name, hostile_values())


def field_values(name: str, ids: KnownIds) -> st.SearchStrategy[Any]:
    return st.one_of(plausible_values(name, ids), hostile_values())


def dict_payloads(event: str, ids: KnownIds, unknown_keys: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    names = fields_of(event)
    known = st.fixed_dictionaries({}, optional={name: field_values(name, ids) for name in names})
    if not unknown_keys:
        return known
    extra_keys = st.text(min_size=1, max_size=20).filter(lambda key: key not in names)
    extra = st.dictionaries(extra_keys, hostile_values(), min_size=1, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


def plausible_payloads(event: str, ids: KnownIds) -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed payloads naming objects that exist: they pass validation and reach the services."""
    names = fields_of(event)
    ballot = [n for n in ("choice", "choices", "ranking") if n in names]
    required = {n: plausible_values(n, ids) for n in names if n in ("meeting_id", "poll_id", "topic")}
    optional = {n: plausible_values(n, ids) for n in names if n not in required and n not in ballot}
    known = st.fixed_dictionaries(required, optional=optional)
    if not ballot:
        return known
    one_ballot = st.sampled_from(ballot).flatmap(lambda n: plausible_values(n, ids).map(lambda v: {n: v}))
    return st.builds(lambda a, b: {**a, **b}, known, one_ballot)


def non_dict_payloads() -> st.SearchStrategy[Any]:
    return st.one_of(hostile_scalars(), st.lists(hostile_values(), max_size=4))


def event_arguments(event: str, ids: KnownIds) -> st.SearchStrategy[tuple[Any, ...]]:
    """What a client may send with the event: usually one payload, sometimes none or two."""
    payload = st.one_of(dict_payloads(event, ids), dict_payloads(event, ids, unknown_keys=True), non_dict_payloads())
    return st.one_of(
        plausible_payloads(event, ids).map(lambda p: (p,)),
        dict_payloads(event, ids).map(lambda p: (p,)),
        dict_payloads(event, ids, unknown_keys=True).map(lambda p: (p,)),
        non_dict_payloads().map(lambda p: (p,)),
        st.tuples(payload, hostile_values()),
        st.just(()),
    )
