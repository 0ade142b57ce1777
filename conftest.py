"""Project-wide pytest fixtures: the personas of house-style.md."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TONGBAN_TESTING", "1")


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """A test that edits the calendar is rolled back; the next one must not see the
    edit through this process's cached calendar."""
    from tongban.workcalendar.calendar import invalidate_calendar

    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def personas(db):
    from tongban.accounts.testing import make_personas

    return make_personas()


@pytest.fixture
def org(db):
    from tongban.accounts.testing import ensure_builtin_roles, make_org

    ensure_builtin_roles()
    return make_org()


# --- real browser (Debian's chromium driven by Playwright) ------------------------------

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# test set-up in that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) in Chinese, against the live server."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
