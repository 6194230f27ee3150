"""Logging in and out through the real form."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import DEMO_PASSWORD, assert_accessible, assert_in_live_region


def test_login_through_the_form_and_logout(new_page) -> None:
    page = new_page()
    page.goto("/auth/login")
    # an account no other test uses: logging out must not touch the sessions other tests reuse
    page.get_by_label("E-mail").fill("sostituto.cna@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()

    expect(page).to_have_url(re.compile(r"^[^?]*/$"))
    expect(page.get_by_role("status")).to_contain_text("Benvenuta/o, Valeria Monti.")
    assert_in_live_region(page.get_by_text("Benvenuta/o, Valeria Monti."))
    page.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("status")).to_contain_text("Sei uscita/o da Tavolo.")
    expect(page.get_by_role("link", name="Accedi")).to_be_visible()


def test_wrong_password_shows_an_italian_error_tied_to_the_field(new_page, console_errors) -> None:
    console_errors.allow(r"status of 401")  # the form answers 401 on purpose
    page = new_page()
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill("delegato.cna@demo.test")
    page.get_by_label("Password").fill("non-la-password")
    page.get_by_role("button", name="Accedi").click()

    error = page.get_by_role("alert")
    expect(error).to_have_text("E-mail o password non corretti.")
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("E-mail o password non corretti.")
    expect(page.locator("form[action$='/auth/logout']")).to_have_count(0)
    assert_accessible(page, "login-error")


def test_wrong_password_in_english(new_page, console_errors) -> None:
    console_errors.allow(r"status of 401")
    page = new_page()
    page.goto("/auth/login?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail").fill("delegato.cna@demo.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Incorrect e-mail or password.")


def test_protected_page_asks_to_log_in_then_comes_back(new_page) -> None:
    page = new_page()
    page.goto("/meetings/1")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=(/|%2F)meetings(/|%2F)1"))
    page.get_by_label("E-mail").fill("osservatore@demo.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Primo incontro del Tavolo di Negoziazione")
    assert page.url.split("?")[0].endswith("/meetings/1")

