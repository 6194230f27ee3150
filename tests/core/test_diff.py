"""Word-level diffs: structured ops that rebuild both texts, and escaped HTML with markers."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.diff import diff_html, diff_texts, has_changes, side, tokenize


def test_changed_word_is_a_word_not_a_line():
    ops = diff_texts("Il treno parte alle 8.\nSecondo paragrafo.\n", "Il treno parte alle 9.\nSecondo paragrafo.\n")
    assert {"op": "delete", "text": "8"} in ops
    assert {"op": "insert", "text": "9"} in ops
    changed = "".join(op["text"] for op in ops if op["op"] != "equal")
    assert "Secondo" not in changed and "treno" not in changed


def test_insertion_and_deletion_in_order():
    ops = diff_texts("uno due tre", "uno tre quattro")
    assert [op["op"] for op in ops] == ["equal", "delete", "equal", "insert"]
    assert ops[1]["text"].strip() == "due" and ops[3]["text"].strip() == "quattro"


def test_equal_texts_have_no_changes():
    ops = diff_texts("stesso testo", "stesso testo")
    assert not has_changes(ops) and ops == [{"op": "equal", "text": "stesso testo"}]
    assert diff_texts(None, "") == []


def test_tokens_keep_whitespace_and_punctuation():
    assert tokenize("ciao,  mondo!\n") == ["ciao", ",", "  ", "mondo", "!", "\n"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab c,.\n", max_size=40), st.text(alphabet="ab c,.\n", max_size=40))
def test_ops_rebuild_both_sides(old, new):
    ops = diff_texts(old, new)
    assert side(ops, "old") == old and side(ops, "new") == new
    assert all(op["text"] for op in ops)


def test_html_escapes_text_and_marks_changes(app_ctx):
    ops = diff_texts("prima <b>", 'prima <script>alert("x")</script>')
    html = str(diff_html(ops))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;/script&gt;" in html and "alert(&#34;x&#34;)" in html
    assert "<ins>" in html and "<del>" in html
    assert "inizio inserimento" in html and "fine eliminazione" in html
    assert 'class="visually-hidden"' in html
