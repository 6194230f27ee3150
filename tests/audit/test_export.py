"""The JSON Lines export and the independent verifier (scripts/verify_audit_log.py)."""
from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.audit.chain import GENESIS_HASH
from app.audit.chain import entry_hash as app_entry_hash

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "verify_audit_log.py"


def run_verifier(tmp_path: Path, lines: list[str], *args: str, stdin: bool = False) -> subprocess.CompletedProcess:
    """The script as an outsider runs it: its own interpreter, isolated mode, another directory."""
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    command = [sys.executable, "-I", str(SCRIPT), *args]
    if stdin:
        return subprocess.run(command, input=text.encode("utf-8"), capture_output=True, cwd=tmp_path, timeout=60)
    path = tmp_path / "tavolo-audit.jsonl"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([*command, str(path)], capture_output=True, cwd=tmp_path, timeout=60)


@pytest.fixture
def export(client, demo) -> list[str]:
    response = client.get("/api/v1/audit.jsonl")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) > 20
    return lines


def test_export_is_the_public_log_in_chain_order(client, export):
    entries = [json.loads(line) for line in export]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries == client.get(f"/api/v1/audit?limit={len(entries)}").get_json()
    assert entries[0]["prev_hash"] == GENESIS_HASH
    assert all(set(e) == {"seq", "at", "actor", "action", "object", "data", "prev_hash", "hash"} for e in entries)
    assert any(not line.isascii() for line in export)  # UTF-8 kept as is ("qualità", "–")


def test_export_of_an_empty_log(client, tmp_path):
    response = client.get("/api/v1/audit.jsonl")
    assert response.status_code == 200 and response.get_data() == b""
    result = run_verifier(tmp_path, [])
    assert result.returncode == 0 and result.stdout.decode().split() == ["OK", "0", GENESIS_HASH]


def test_export_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "application/x-ndjson" in spec["paths"]["/api/v1/audit.jsonl"]["get"]["responses"]["200"]["content"]


def test_verifier_accepts_the_export(client, export, tmp_path):
    server = client.get("/api/v1/audit/verify").get_json()
    for stdin in (False, True):
        result = run_verifier(tmp_path, export, stdin=stdin)
        assert result.returncode == 0, result.stdout
        assert result.stdout.decode().split() == ["OK", str(server["length"]), server["head"]]
    assert run_verifier(tmp_path, export, "--head", server["head"]).returncode == 0


def _entry_with(export: list[str], predicate) -> int:
    return next(i for i, line in enumerate(export) if predicate(json.loads(line)))


def _change_one_character(line: str, field: str) -> str:
    """Change one character inside the raw JSON text of a field's value (the line stays JSON)."""
    if field == "actor":
        return re.sub(r'"actor":(\d+)', lambda m: f'"actor":{int(m.group(1)) % 9 + 1}' if len(m.group(1)) == 1
                      else f'"actor":{m.group(1)[:-1]}{(int(m.group(1)[-1]) + 1) % 10}', line, count=1)
    if field == "at":
        return re.sub(r'("at":"[^"]*)(\d)(Z")', lambda m: f"{m.group(1)}{(int(m.group(2)) + 1) % 10}{m.group(3)}", line, count=1)
    if field == "action":
        return re.sub(r'("action":"[^"]*?)([a-z])(")', lambda m: m.group(1) + ("x" if m.group(2) != "x" else "y") + m.group(3), line, count=1)
    if field == "data":
        start = line.index('"data":{') + len('"data":{')
        end = line.index("}", start)
        inside = line[start:end]
        match = re.search(r':"[^"]*?([a-zA-Z])', inside)
        position = start + match.start(1)
        return line[:position] + ("Z" if line[position] != "Z" else "Y") + line[position + 1:]
    if field == "object":
        return re.sub(r'("object":"[a-z_]+:)(\d)', lambda m: f"{m.group(1)}{(int(m.group(2)) + 1) % 10}", line, count=1)
    raise AssertionError(field)


TARGETS = {
    "actor": lambda e: isinstance(e["actor"], int),
    "at": lambda e: e["seq"] > 1,
    "action": lambda e: e["seq"] == 3,
    "data": lambda e: any(isinstance(v, str) and re.search("[a-zA-Z]", v) for v in e["data"].values()),
    "object": lambda e: e["object"] != "",
}


@pytest.mark.parametrize("field", list(TARGETS))
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_changed_character_is_named(export, tmp_path, field, where):
    candidates = [i for i, line in enumerate(export) if TARGETS[field](json.loads(line))]
    index = {"first": candidates[0], "middle": candidates[len(candidates) // 2], "last": candidates[-1]}[where]
    tampered = list(export)
    tampered[index] = _change_one_character(export[index], field)
    assert tampered[index] != export[index]
    assert sum(a != b for a, b in zip(tampered[index], export[index])) == 1
    json.loads(tampered[index])
    seq = json.loads(export[index])["seq"]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode == 1
    assert result.stdout.decode().startswith(f"BROKEN seq {seq} ")


def test_changed_hash_is_named(export, tmp_path):
    index = len(export) // 2
    entry = json.loads(export[index])
    entry["hash"] = entry["hash"][:-1] + ("0" if entry["hash"][-1] != "0" else "1")
    tampered = export[:index] + [json.dumps(entry, ensure_ascii=False)] + export[index + 1:]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode == 1 and f"BROKEN seq {entry['seq']} " in result.stdout.decode()


def test_rehashed_entry_breaks_the_next_link(export, tmp_path):
    """A forger who also recomputes the changed entry's hash is caught by the next entry's prev_hash."""
    index = 5
    entry = json.loads(export[index])
    entry["action"] = "forged.entry.action"
    entry["hash"] = app_entry_hash(entry)
    tampered = export[:index] + [json.dumps(entry, ensure_ascii=False)] + export[index + 1:]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode == 1
    assert result.stdout.decode().startswith(f"BROKEN seq {entry['seq'] + 1} ") and "prev_hash" in result.stdout.decode()


@pytest.mark.parametrize("index", [0, 7, -2])
def test_dropped_line_fails(export, tmp_path, index):
    position = index % len(export)
    tampered = export[:position] + export[position + 1:]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode == 1
    assert result.stdout.decode().startswith(f"BROKEN seq {position + 2} ")


def test_dropped_last_lines_need_the_published_head(client, export, tmp_path):
    head = client.get("/api/v1/audit/verify").get_json()["head"]
    assert run_verifier(tmp_path, export[:-3]).returncode == 0  # a cut chain is still a chain...
    result = run_verifier(tmp_path, export[:-3], "--head", head)  # ...that does not end at the published head
    assert result.returncode == 1 and "BROKEN head" in result.stdout.decode()


@pytest.mark.parametrize("first, second", [(0, 1), (3, 9), (-2, -1)])
def test_swapped_lines_fail(export, tmp_path, first, second):
    tampered = list(export)
    tampered[first], tampered[second] = tampered[second], tampered[first]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode == 1
    low, high = sorted((first % len(export), second % len(export)))
    # the chain breaks at the earlier position, which now holds the later entry
    assert result.stdout.decode().startswith(f"BROKEN seq {high + 1} (line {low + 1}): expected seq {low + 1}")


@pytest.mark.parametrize("line, reason", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"seq": 1}', "missing field"),
    ('{"seq": 1, "seq": 1}', "duplicate key"),
])
def test_malformed_lines_fail(export, tmp_path, line, reason):
    result = run_verifier(tmp_path, export[:3] + [line] + export[3:])
    assert result.returncode == 1
    assert reason in result.stdout.decode() and "line 4" in result.stdout.decode()


def test_verifier_uses_the_standard_library_only():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0}
    assert modules and modules <= set(sys.stdlib_module_names) | {"__future__"}, modules


def _load_script():
    spec = importlib.util.spec_from_file_location("verify_audit_log", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(seq=st.integers(min_value=1), actor=st.none() | st.integers(min_value=1), action=st.text(max_size=30),
       obj=st.text(max_size=20), data=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
       at=st.text(max_size=30))
def test_script_and_app_hash_alike(seq, actor, action, obj, data, at):
    """The documented algorithm (the script) and the app's chain.py agree, also after a JSON round trip."""
    script = _load_script()
    entry = {"seq": seq, "at": at, "actor": actor, "action": action, "object": obj, "data": data, "prev_hash": GENESIS_HASH}
    assert script.entry_hash(entry) == app_entry_hash(entry)
    exported = json.loads(json.dumps(entry, ensure_ascii=False))
    assert script.entry_hash(exported) == app_entry_hash(entry)


def test_export_streams_in_batches_without_gaps(client, export, monkeypatch):
    import app.audit.api as audit_api

    monkeypatch.setattr(audit_api, "EXPORT_BATCH", 7)
    assert client.get("/api/v1/audit.jsonl").get_data(as_text=True).splitlines() == export
