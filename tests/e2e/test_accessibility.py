"""axe-core sweep of every main page (PAGES in helpers.py), plus the pages linked from the menus."""
from __future__ import annotations

import pytest

from tests.e2e.helpers import PAGES, AxePage, assert_accessible


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_serious_axe_violations(shared_page, console_errors, spec: AxePage) -> None:
    if spec.status >= 400:
        console_errors.allow(f"status of {spec.status}")  # chromium logs the error status itself
    page = shared_page(spec.user)
    response = page.goto(spec.url)
    assert response is not None and response.status == spec.status
    if spec.wait_for:
        page.wait_for_selector(spec.wait_for)
    assert_accessible(page, spec.name)


def test_every_menu_and_footer_link_opens_without_errors(new_page, console_errors) -> None:
    """What the menus offer (including entries other domains register) loads cleanly for the chair."""
    page = new_page("chair")
    page.goto("/")
    links = page.eval_on_selector_all(
        "#main-nav a[href], #footer a[href], .it-header-slim-wrapper a[href]",
        "els => [...new Set(els.map(a => a.getAttribute('href')))]",
    )
    assert len(links) >= 6, links
    for href in links:
        response = page.goto(href)
        assert response is not None and response.ok, f"{href}: HTTP {response and response.status}"
