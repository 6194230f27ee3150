"""Users' Markdown is rendered and sanitized: nothing executable reaches a page."""
from __future__ import annotations

import pytest

from app.core.markdown import render_markdown, sanitize_html
from tests.deliberation.factories import unsafe_markup

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="alert(2)" style="color:red">x</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"></svg>',
    "<iframe src='https://evil.example'></iframe>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_neutralized(payload):
    html = str(render_markdown(payload))
    assert unsafe_markup(html) == []
    assert "<script" not in html.lower()


def test_the_checker_sees_unsafe_markup():
    assert unsafe_markup('<img src=x onerror=alert(1)><a href="javascript:x">a</a><p style="x">') == [
        "<img>", "img[onerror]", "a[href=javascript:x]", "p[style]"]


def test_markdown_is_rendered_with_safe_links():
    html = str(render_markdown("Un **punto** e un [sito](https://example.org).\n\n- uno\n- due"))
    assert "<strong>punto</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">sito</a>' in html
    assert "<ul>" in html and "<li>uno</li>" in html


def test_sanitizer_removes_what_the_renderer_might_let_through():
    dirty = '<p onclick="x()" style="a:b">t</p><script>bad()</script><a href="vbscript:x">v</a><table><tr><th>h</th></tr></table>'
    clean = sanitize_html(dirty)
    assert "onclick" not in clean and "style" not in clean and "script" not in clean and "vbscript" not in clean
    assert '<th scope="col">h</th>' in clean


def test_headings_nest_under_the_page_headings():
    html = str(render_markdown("# Primo\n\n## Secondo"))
    assert "<h3>Primo</h3>" in html and "<h4>Secondo</h4>" in html
    assert "<h1" not in html and "<h2" not in html


def test_empty_text():
    assert str(render_markdown(None)) == "" and str(render_markdown("")) == ""
