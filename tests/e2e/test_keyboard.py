"""Keyboard-only use: skip link, reachable controls, a visible focus indicator on each of them."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_focus_visible, focused, tab_to


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(new_page) -> None:
    page = new_page()
    for path in ["/", "/organizations", "/auth/login"]:
        page.goto(path)
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Vai al contenuto principale")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        assert_focus_visible(page)

        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
        assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)"), \
            f"{path}: after the skip link, Tab went to {focused(page)}"


# one of each kind of control, in page order, each reached with the Tab key alone
FOCUS_TARGETS = {
    "/": [".skiplinks a[href='#main']", "a[hreflang='en']", "#main-nav a[href='/organizations']",
          "main a[href='/organizations']", "#footer a[href='/accessibilita']"],
    "/auth/login": ["header a.btn", "main a[href='/join']", "main input[name=email]", "main button[type=submit]"],
    "/audit": ["main button[type=submit]"],
}


@pytest.mark.parametrize("path", FOCUS_TARGETS)
def test_focused_controls_show_a_visible_focus_indicator(new_page, path: str) -> None:
    page = new_page()
    page.goto(path)
    for selector in FOCUS_TARGETS[path]:
        tab_to(page, selector)
        assert_focus_visible(page)


def test_logged_in_header_controls_are_reachable_and_show_focus(new_page) -> None:
    page = new_page("admin")
    page.goto("/")
    for selector in ["header form button[type=submit]", "#main-nav a[href='/auth/users']"]:
        tab_to(page, selector)
        assert_focus_visible(page)


def test_mobile_menu_opens_and_closes_with_the_keyboard(new_page) -> None:
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/")
    toggler = page.get_by_role("button", name="Mostra o nascondi il menu")
    menu_link = page.locator("#main-nav").get_by_role("link", name="Il tavolo")
    expect(menu_link).to_be_hidden()
    tab_to(page, ".custom-navbar-toggler")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    link = tab_to(page, "#main-nav a[href='/organizations']")
    expect(link).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Escape")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu_link).to_be_hidden()
