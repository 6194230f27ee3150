"""Reflow: a 360-pixel-wide phone and 200% zoom (a 1280x800 screen at 200% is 640x400 CSS pixels)."""
from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DEMO_PASSWORD, DEMO_USERS, horizontal_overflow, screenshot

LAYOUTS = {
    "phone-360": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
                  "has_touch": True},
    "zoom-200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
PUBLIC_PATHS = ["/", "/organizations", "/organizations/1", "/auth/login", "/audit", "/accessibilita", "/meetings"]
LOGGED_IN_PATHS = ["/", "/organizations/1", "/meetings/1", "/auth/users"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_horizontal_scrolling(new_page, layout: str) -> None:
    page = new_page(**LAYOUTS[layout])
    for path in PUBLIC_PATHS:
        page.goto(path)
        assert horizontal_overflow(page) == [], path
    page = new_page("admin", **LAYOUTS[layout])
    for path in LOGGED_IN_PATHS:
        page.goto(path)
        assert horizontal_overflow(page) == [], f"{path} (logged in)"
    page.goto("/")
    screenshot(page, f"home-logged-in-{layout}")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_menu_reaches_every_section(new_page, layout: str) -> None:
    page = new_page(**LAYOUTS[layout])
    page.goto("/")
    screenshot(page, f"home-{layout}")
    page.get_by_role("button", name="Mostra o nascondi il menu").click()
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="Il percorso")).to_be_in_viewport(ratio=1)  # the menu has slid in
    link = nav.get_by_role("link", name="Registro pubblico")
    link.scroll_into_view_if_needed()  # at 200% the menu is taller than the screen and scrolls
    expect(link).to_be_in_viewport(ratio=1)
    screenshot(page, f"menu-{layout}")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registro pubblico delle decisioni")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_login_form_is_usable(new_page, layout: str) -> None:
    page = new_page(**LAYOUTS[layout])
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill("delegato.cgil@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    submit = page.locator("main").get_by_role("button", name="Accedi")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    submit.click()
    expect(page.get_by_role("button", name="Esci")).to_be_visible()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_ranking_is_cast_and_its_results_read_without_sideways_scrolling(new_page, layout: str) -> None:
    """Issue 8: the ranking ballot and the results (Borda, Schulze, the pairwise matrix) at 360 px and 200%."""
    chair = new_page("chair")
    token = chair.request.post("/api/v1/auth/token", data={"email": DEMO_USERS["chair"], "password": DEMO_PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    title = f"Priorità per il Piano ({layout}) {secrets.token_hex(3)}"
    poll = chair.request.post("/api/v1/polls", headers=headers, data={
        "title": title, "kind": "ranking", "options": ["Mobilità sostenibile", "Lavoro e imprese", "Scuola e giovani"]}).json()
    assert chair.request.post(f"/api/v1/polls/{poll['id']}/open", headers=headers).ok
    page = new_page("delegate", **LAYOUTS[layout])
    page.goto(f"/polls/{poll['id']}")
    for position, option in enumerate(["Lavoro e imprese", "Scuola e giovani", "Mobilità sostenibile"], start=1):
        page.get_by_label(f"Posizione di «{option}»").select_option(str(position))
    expect(page.locator("#ranking-preview")).to_contain_text("Lavoro e imprese")
    assert horizontal_overflow(page) == [], "ranking ballot"
    vote = page.get_by_role("button", name="Vota")
    vote.scroll_into_view_if_needed()
    vote.click()
    expect(page.locator("#ballot-status")).to_contain_text("registrato")
    assert chair.request.post(f"/api/v1/polls/{poll['id']}/close", headers=headers).ok
    page.goto(f"/polls/{poll['id']}")
    expect(page.locator("main")).to_contain_text("Schulze")
    assert horizontal_overflow(page) == [], "ranking result"
    screenshot(page, f"ranking-result-{layout}")
