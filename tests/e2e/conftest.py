"""Playwright driving Debian's Chromium against pytest-django's live server.

Chromium is found at PORTAL_CHROMIUM or /usr/bin/chromium; without it the browser tests skip on
a laptop and fail in CI (PORTAL_REQUIRE_SERVICES=1).
"""

import os
import shutil

import pytest

from tests.conftest import need_service

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) else None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        need_service("Chromium not found (apt install chromium, or set PORTAL_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh, empty profile directory of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": 1366, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
