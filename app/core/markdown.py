"""Markdown for texts written by users (proposals, clauses, comments): rendered, then sanitized.

markdown-it-py renders CommonMark with raw HTML switched off (it is escaped as text); nh3 then keeps
only a known set of tags and attributes, so a script, an event handler, a style attribute or a
`javascript:` URL never reaches a page, whatever the renderer lets through.
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "ins", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}
#: Markdown tables only have header cells in their first row: they head columns.
SET_ATTRIBUTES = {"th": {"scope": "col"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _nest_headings(markdown: MarkdownIt, top: int) -> None:
    """Headings of a text sit under the page's own (h1, h2): the text's highest becomes h`top`,
    the others keep their distance from it, so the page's outline stays in order."""

    def rule(state) -> None:
        headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
        if not headings:
            return
        offset = top - min(int(t.tag[1]) for t in headings)
        for token in headings:
            token.tag = f"h{min(int(token.tag[1]) + offset, 6)}"

    markdown.core.ruler.push("tavolo_nest_headings", rule)


_nest_headings(_renderer, 3)


def sanitize_html(html: str) -> str:
    """Keep only safe tags and attributes; links get rel="noopener noreferrer nofollow"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values=SET_ATTRIBUTES,
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a user's Markdown text (empty for None)."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_renderer.render(text)))
