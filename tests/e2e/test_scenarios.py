"""Scenarios of issue 8, each through the real pages of two or more people at once."""
from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible


def test_comment_appears_live_in_a_second_browser(new_page) -> None:
    """A delegate's comment reaches another delegate's open page without a reload."""
    author = new_page("delegate")
    reader = new_page("delegate2")
    reader.goto("/proposals/1")
    expect(reader.locator("#comments-live-status")).not_to_be_empty()  # the live subscription is up
    author.goto("/proposals/1")
    text = f"Condivido, con una nota {secrets.token_hex(4)}"
    author.locator("#comment-body").fill(text)  # the top-level form, not a reply
    author.get_by_role("button", name="Pubblica il commento").click()
    expect(author.get_by_role("paragraph").filter(has_text=text)).to_be_visible()
    expect(reader.get_by_role("paragraph").filter(has_text=text)).to_be_visible()  # arrived live: the reader never reloaded
    expect(reader.locator("#comments-live")).to_contain_text("Nuovo commento")
    assert_accessible(reader, "proposal-comment-live")
