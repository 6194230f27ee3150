"""The English interface (?lang=en, then kept for the session)."""
from __future__ import annotations

from playwright.sync_api import expect


def test_lang_en_renders_english_and_sticks(new_page) -> None:
    page = new_page()
    page.goto("/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#main-nav").get_by_role("link", name="The table")).to_be_visible()
    expect(page.get_by_role("heading", name="The phases of the process")).to_be_visible()
    page.locator("#main-nav").get_by_role("link", name="The table").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Negotiation Table")
    page.get_by_role("link", name="Italiano").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_have_text("Il Tavolo di Negoziazione")
