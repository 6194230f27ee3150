"""Shared helpers for the browser tests (Playwright sync API, Debian's chromium, axe-core).

Every test under tests/e2e is marked `e2e` automatically (see conftest.py): `make test` skips them,
`make test-e2e` runs them against a real server (`python wsgi.py` with gevent, demo data loaded).

Fixtures (tests/e2e/conftest.py)
--------------------------------
- `new_page(user=None, **context_options)`: a page in a browser context of its own; `user` is a
  demo e-mail or a key of DEMO_USERS ("admin", "chair", "observer", "delegate", "delegate2"), logged
  in through the real login form. `context_options` go to `browser.new_context` (viewport,
  device_scale_factor, ...). Relative URLs work: `page.goto("/organizations")`.
- `console_errors`: every page made by `new_page` reports its console errors and uncaught exceptions
  here, and the test fails if there are any. A test that provokes an error on purpose declares it
  first: `console_errors.allow(r"status of 401")`.
- `shared_page(user=None)`: a new tab in a context kept for the whole session for that user: faster,
  but the cookies are shared with other tests, so only for looking at pages (the axe sweep).
- `live_server`: the base URL of the server.
A failing test leaves a screenshot of each of its open pages in test-artifacts/screenshots/.

How to add a page to the axe sweep
----------------------------------
Append an `AxePage` to PAGES below, in your domain's block (one line per page):

    AxePage("proposal", "/proposals/1", user="delegate"),
    AxePage("proposal-en", "/proposals/1", user="delegate", lang="en"),
    AxePage("projector", "/meetings/1/projector", user="chair", wait_for="[data-live-ready]"),

tests/e2e/test_accessibility.py then opens it (logged in as `user`, or anonymously; `lang` is sent
as ?lang=), checks the HTTP status (`status`, 200 unless said), waits for the `wait_for` selector if
given (pages that fill themselves from the live channel), saves test-artifacts/screenshots/<name>.png,
and fails on serious or critical WCAG 2.1 A/AA violations and on any console error. The page shows
the demo data (`flask seed-demo`), so pick ids that the demo creates. A state worth checking that a
plain visit does not reach (an open poll, a form with errors) belongs in a scenario test that ends
with `assert_accessible(page, "<name>")`.

How to write a scenario
-----------------------
    def test_comment_appears_live(new_page):
        author = new_page("delegate")
        reader = new_page("delegate2")           # another browser context: another person
        author.goto("/proposals/1"); reader.goto("/proposals/1")
        author.get_by_label("Commento").fill("D'accordo")
        author.get_by_role("button", name="Commenta").click()
        expect(reader.get_by_text("D'accordo")).to_be_visible()   # arrived without reload
        assert_accessible(reader, "proposal-with-comment")

Prefer roles and labels (`get_by_role`, `get_by_label`) to CSS selectors: the test then also proves
the accessible names. For keyboard-only paths use `tab_to(page, selector)` then `page.keyboard.press("Enter")` (or
"Space", "ArrowDown"...) and `assert_focus_visible(page)`; for live updates `assert_in_live_region`;
for small screens `horizontal_overflow(page) == []` with the layouts of test_responsive.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: served by the app itself: CSP (script-src 'self') refuses inline scripts, a same-origin URL passes
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_FILE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

DEMO_PASSWORD = "tavolo-demo"
DEMO_USERS = {
    "admin": "admin@demo.test",
    "chair": "presidenza@demo.test",
    "observer": "osservatore@demo.test",
    "delegate": "delegato.cna@demo.test",
    "delegate2": "delegato.cgil@demo.test",
}


@dataclass(frozen=True)
class AxePage:
    name: str  #: screenshot file name and test id
    path: str
    user: str | None = None  #: demo e-mail or DEMO_USERS key; None = anonymous
    wait_for: str | None = None  #: CSS selector present once the page has finished building itself
    status: int = 200  #: expected HTTP status (error pages are swept too)
    lang: str = "it"  #: interface language, sent as ?lang= (it is kept in the session)

    @property
    def url(self) -> str:
        return f"{self.path}{'&' if '?' in self.path else '?'}lang={self.lang}"


PAGES: list[AxePage] = [
    # foundation (process, organizations, audit, auth, meetings)
    AxePage("home", "/"),
    AxePage("home-logged-in", "/", user="delegate"),
    AxePage("organizations", "/organizations"),
    AxePage("organization", "/organizations/1"),
    AxePage("organization-representative", "/organizations/1", user="delegate"),
    AxePage("login", "/auth/login"),
    AxePage("audit", "/audit"),
    AxePage("audit-verified", "/audit?verify=1", wait_for="[data-testid=verify-result]"),
    AxePage("accessibility-statement", "/accessibilita"),
    AxePage("meetings", "/meetings"),
    AxePage("meeting", "/meetings/1", user="delegate"),
    AxePage("users", "/auth/users", user="admin"),
    AxePage("not-found", "/pagina-inesistente", status=404),
    AxePage("forbidden", "/auth/users", user="delegate", status=403),
    # the same in English
    AxePage("home-en", "/", lang="en"),
    AxePage("organizations-en", "/organizations", lang="en"),
    AxePage("login-en", "/auth/login", lang="en"),
    AxePage("audit-en", "/audit", lang="en"),
    AxePage("meeting-en", "/meetings/1", user="delegate", lang="en"),

    # proposals and pact
    AxePage("proposals", "/proposals"),
    AxePage("proposal", "/proposals/1"),
    AxePage("proposal-delegate", "/proposals/1", user="delegate"),
    AxePage("proposal-chair", "/proposals/3", user="chair"),
    AxePage("proposal-new", "/proposals/new", user="delegate"),
    AxePage("proposals-en", "/proposals", lang="en"),
    AxePage("pact", "/pacts/1"),
    AxePage("pact-delegate", "/pacts/1", user="delegate", wait_for="[data-pact-live-status][data-state=connected]"),
    AxePage("pact-chair-en", "/pacts/1", user="chair", lang="en"),
    AxePage("pact-clause", "/pacts/1/clauses/1", user="delegate"),
    AxePage("pact-clause-edit", "/pacts/1/clauses/1/edit", user="chair"),

    # votes
    AxePage("polls", "/polls", user="delegate"),
    AxePage("poll-yesno-result", "/polls/1", user="delegate"),
    AxePage("poll-ranking-result", "/polls/2", user="delegate"),
    AxePage("poll-choice-open", "/polls/3", user="delegate"),
    AxePage("poll-new", "/polls/new", user="chair"),

    # meetings: console, projector, join
    AxePage("meeting-console", "/meetings/1/console", user="chair"),
    AxePage("meeting-projector", "/meetings/1/projector", user="chair"),
    AxePage("join", "/join"),
    AxePage("meeting-codes", "/meetings/2/codes", user="chair"),

    # records: the decision register and the DocPP (the verbale pages are checked in test_records.py,
    # which holds a meeting to its end first)
    AxePage("decisions", "/decisions"),
    AxePage("decisions-en", "/decisions", lang="en"),
    AxePage("docpp", "/docpp"),
    AxePage("docpp-chair", "/docpp", user="chair"),
]


def email_for(user: str) -> str:
    if "@" in user:
        return user
    try:
        return DEMO_USERS[user]
    except KeyError:
        raise ValueError(f"unknown demo user {user!r}: give an e-mail or one of {sorted(DEMO_USERS)}") from None


def login_as(context: BrowserContext, user: str, password: str = DEMO_PASSWORD) -> Page:
    """A new page of `context`, logged in through the real login form; left on the page it lands on."""
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email_for(user))
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button").click()
    expect(page.locator("form[action$='/auth/logout']"), f"login as {user} failed").to_have_count(1)
    return page


def screenshot(page: Page, name: str) -> Path:
    """Full-page PNG in test-artifacts/screenshots/<name>.png (kept by CI as an artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page: Page, include: str | None = None) -> dict[str, Any]:
    """axe-core's results for the page (or the part matching `include`), WCAG 2.1 A and AA rules."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    context = {"include": [[include]]} if include else None
    return page.evaluate(
        "async ([context, tags]) => await axe.run(context || document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [context, AXE_TAGS],
    )


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            for summary in (node.get("failureSummary") or "").splitlines():
                lines.append(f"       {summary.strip()}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str, include: str | None = None) -> dict[str, Any]:
    """Screenshot the page as `name`, then fail on serious or critical WCAG 2.1 A/AA violations."""
    screenshot(page, name)
    results = run_axe(page, include)
    serious = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"axe: {len(serious)} serious/critical violations on {name} ({page.url}):\n" + \
        format_violations(serious)
    return results


# -- keyboard and layout ------------------------------------------------------------------------

_DESCRIBE_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const text = (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().replace(/\\s+/g, ' ');
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (text ? ' "' + text.slice(0, 40) + '"' : '');
}"""


def focused(page: Page) -> str | None:
    """A short description of the focused element (None when nothing is)."""
    return page.evaluate(_DESCRIBE_FOCUSED)


def tab_to(page: Page, selector: str, max_presses: int = 60, key: str = "Tab"):
    """Press Tab until the element matching `selector` has the focus (proves it is keyboard-reachable)."""
    visited = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        if page.evaluate("(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector):
            return page.locator(selector).and_(page.locator(":focus"))
        visited.append(focused(page))
    raise AssertionError(f"{selector} not reached with {max_presses} x {key}; focus went through: {visited}")


def focus_indicator(page: Page) -> dict[str, Any]:
    """How the focused element shows its focus: its outline and box-shadow with and without focus.

    `visible` is true when, once CSS transitions are over, the focused element has an opaque outline
    or an outer box-shadow ring that it does not have without focus.
    """
    return page.evaluate(
        """async () => {
          const e = document.activeElement;
          const settle = async () => { await new Promise(r => requestAnimationFrame(r));
            await Promise.all(e.getAnimations().map(a => a.finished.catch(() => null))); };
          const transparent = (c) => c === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(c);
          const look = () => { const s = getComputedStyle(e);
            const rings = s.boxShadow === 'none' ? [] : s.boxShadow.split(/,(?![^(]*\\))/).map(r => r.trim())
              .filter(r => !/inset/.test(r) && /\\s[1-9][\\d.]*px$/.test(r) &&
                           !transparent((r.match(/rgba?\\([^)]*\\)/) || ['transparent'])[0]));
            return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor)
                             ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : null,
                    rings: rings.join(', ')}; };
          await settle(); const focusedLook = look();
          e.blur(); await settle(); const restLook = look();
          e.focus(); await settle();
          const visible = (!!focusedLook.outline && focusedLook.outline !== restLook.outline) ||
                          (!!focusedLook.rings && focusedLook.rings !== restLook.rings);
          return {visible, focused: focusedLook, unfocused: restLook};
        }"""
    )


def assert_focus_visible(page: Page) -> None:
    indicator = focus_indicator(page)
    assert indicator["visible"], f"no visible focus indicator on {focused(page)}: {indicator}"


def horizontal_overflow(page: Page) -> list[str]:
    """Elements that stick out of the viewport sideways (empty when nothing scrolls horizontally).

    Content inside a horizontally scrollable box (a wide table in .table-responsive) is allowed: WCAG
    1.4.10 exempts data tables, and the page itself does not scroll.
    """
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
            return false; };
          return [...document.body.querySelectorAll('*')]
            .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
            .slice(0, 10)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                       ' right=' + Math.round(el.getBoundingClientRect().right))
            .concat(['scrollWidth=' + document.documentElement.scrollWidth + ' clientWidth=' + width]);
        }"""
    )


def assert_in_live_region(locator: Locator) -> None:
    """The element is inside a live region, so screen readers announce its changes (vote state, tally)."""
    live = locator.evaluate(
        """el => { for (let e = el; e; e = e.parentElement) {
             const live = e.getAttribute('aria-live'), role = e.getAttribute('role');
             if ((live && live !== 'off') || ['status', 'alert', 'log', 'timer', 'marquee'].includes(role))
               return e.tagName.toLowerCase() + (role ? '[role=' + role + ']' : '') + (live ? '[aria-live=' + live + ']' : '');
           } return null; }"""
    )
    assert live, f"{locator} is not inside an aria-live region or a status/alert/log role"
