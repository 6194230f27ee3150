"""Browser tests: the real app in a subprocess, driven by Debian's chromium through Playwright.

The server runs as in production (`python wsgi.py`, gevent, its own SQLite file migrated with
`flask db upgrade` and loaded with `flask seed-demo`). How to use the fixtures: see helpers.py.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect, sync_playwright

from tests.e2e.helpers import ROOT, SCREENSHOTS, email_for, login_as, screenshot

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PORTS = range(5100, 5200)
STARTUP_TIMEOUT = 60.0
HERE = Path(__file__).resolve().parent
SERVER_LOG = pytest.StashKey[Path]()

# generous waits: the machine running the suite may be busy; a passing check returns at once anyway
expect.set_options(timeout=10_000)


# -- marking and reporting -----------------------------------------------------------------------

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything in tests/e2e is an e2e test, so `-m "not e2e"` (make test) never starts a browser."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """A test that passed still fails if a page logged a console error or threw an exception."""
    result = yield
    watcher = getattr(item, "funcargs", {}).get("console_errors")
    if watcher is not None:
        watcher.check()
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    log = config.stash.get(SERVER_LOG, None)
    if exitstatus != 0 and log is not None and log.exists():
        terminalreporter.section("live server log (last 40 lines)")
        terminalreporter.write_line("\n".join(log.read_text(errors="replace").splitlines()[-40:]))


# -- the live server ------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _clean_database() -> Iterator[None]:
    """Overrides tests/conftest.py's: browser tests use the live server's database, not the in-process app."""
    yield


def _free_port() -> int:
    """The first free port of the range given to this project's e2e runs, else one the OS picks."""
    for port in [*PORTS, 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def _compile_catalogs() -> None:
    """Compile .po files whose .mo is missing or stale (make does it too; this covers a bare pytest run)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)


def _server_env(tmp: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAVOLO_", "SOCKETIO_", "FLASK_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
        PORT=str(port),
        HOST="127.0.0.1",
        SECRET_KEY=secrets.token_urlsafe(48),
        FLASK_APP="wsgi",
        TAVOLO_ACCESS_LOG="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the live server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/auth/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the live server did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def live_server(pytestconfig: pytest.Config) -> Iterator[str]:
    """Base URL of the real app (gevent, migrated SQLite file, demo data), stopped at the end."""
    _compile_catalogs()
    with tempfile.TemporaryDirectory(prefix="tavolo-e2e-") as tmpdir:
        tmp = Path(tmpdir)
        port = _free_port()
        env = _server_env(tmp, port)
        log = tmp / "server.log"
        pytestconfig.stash[SERVER_LOG] = log
        for command in (["db", "upgrade"], ["seed-demo"]):
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                pytest.fail(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            # keep the log for the terminal summary after the temporary directory is gone
            kept = ROOT / "test-artifacts" / "server.log"
            kept.parent.mkdir(exist_ok=True)
            shutil.copyfile(log, kept)
            pytestconfig.stash[SERVER_LOG] = kept


# -- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `make browser` "
                    "(apt-get install chromium); the browser tests never download a browser.", pytrace=False)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleErrors:
    """Console errors and uncaught exceptions of every page of a test; `check()` fails on them."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Tolerate messages matching `pattern` (a regular expression) for this test: errors it provokes."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self._add(f"{page.url}: uncaught {exc.name}: {exc.message}"))

    def _console(self, page: Page, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            where = msg.location.get("url") or page.url
            self._add(f"{where}: console error: {msg.text}")

    def _add(self, text: str) -> None:
        if not any(p.search(text) for p in self.allowed):
            self.errors.append(text)

    def check(self) -> None:
        errors, self.errors = self.errors, []
        if errors:
            pytest.fail("browser console errors:\n  " + "\n  ".join(errors), pytrace=False)


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


CONTEXT_DEFAULTS = {"timezone_id": "Europe/Rome"}


def _open_context(browser: Browser, live_server: str, **options: Any) -> BrowserContext:
    context = browser.new_context(**{"base_url": live_server, **CONTEXT_DEFAULTS, **options})
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(20_000)
    return context


def _screenshot_if_failed(request: pytest.FixtureRequest, pages: list[Page]) -> None:
    call = getattr(request.node, "report_call", None)
    if call is None or not call.failed:
        return
    for i, page in enumerate(pages):
        try:
            screenshot(page, f"FAILED-{request.node.name}-{i}")
        except Error:
            pass


@pytest.fixture(scope="session")
def login_states() -> dict[str, dict]:
    """Cookies of each demo user after their first login through the form, reused by later contexts."""
    return {}


def _login_state(browser: Browser, live_server: str, login_states: dict[str, dict], email: str) -> dict:
    if email not in login_states:
        context = _open_context(browser, live_server)
        login_as(context, email)
        login_states[email] = context.storage_state()
        context.close()
    return login_states[email]


@pytest.fixture
def new_context(browser: Browser, live_server: str, console_errors: ConsoleErrors,
                request: pytest.FixtureRequest) -> Iterator[Callable[..., BrowserContext]]:
    """Factory of browser contexts (each one a separate person: own cookies) on the live server."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = _open_context(browser, live_server, **options)
        context.on("page", console_errors.watch)
        contexts.append(context)
        return context

    yield make
    _screenshot_if_failed(request, [page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str, new_context: Callable[..., BrowserContext],
             login_states: dict[str, dict]) -> Callable[..., Page]:
    """`new_page(user=None, **context_options)`: a page in its own context, logged in as `user` if given.

    The first login of a user in the session goes through the login form; later contexts start
    from the cookies it produced. `login_as(context, user)` goes through the form every time.
    """

    def make(user: str | None = None, **options: Any) -> Page:
        if user is not None:
            options["storage_state"] = _login_state(browser, live_server, login_states, email_for(user))
        return new_context(**options).new_page()

    return make


@pytest.fixture(scope="session")
def _shared_contexts(browser: Browser) -> Iterator[dict[str | None, BrowserContext]]:
    contexts: dict[str | None, BrowserContext] = {}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def shared_page(browser: Browser, live_server: str, login_states: dict[str, dict],
                _shared_contexts: dict[str | None, BrowserContext], console_errors: ConsoleErrors,
                request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """`shared_page(user=None)`: a new tab in one context per user kept for the whole session.

    Faster than `new_page` (warm cache, no new login) but the session cookie is shared with other
    tests: use it only to look at pages (the axe sweep), never for scenarios that change state.
    """
    pages: list[Page] = []

    def make(user: str | None = None) -> Page:
        email = email_for(user) if user is not None else None
        if email not in _shared_contexts:
            state = _login_state(browser, live_server, login_states, email) if email else None
            _shared_contexts[email] = _open_context(browser, live_server, storage_state=state)
        page = _shared_contexts[email].new_page()
        console_errors.watch(page)
        pages.append(page)
        return page

    yield make
    _screenshot_if_failed(request, pages)
    for page in pages:
        page.close()
