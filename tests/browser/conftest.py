"""A harness that drives Debian's Chromium against a live Chorus server.

Chromium is the system package (/usr/bin/chromium), never a downloaded browser build. Screenshots
are saved under test-artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHORUS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags that keep Chromium from reaching for the network at start-up on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's synchronous API runs an event loop in this thread; the live server's database work
# happens in its own thread, so Django's async-safety guard does not apply to these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    context.set_default_timeout(15_000)
    external_requests = []

    def watch(request):
        if not request.url.startswith((live_server.url, "data:", "about:")):
            external_requests.append(request.url)

    context.on("request", watch)
    page = context.new_page()
    page.external_requests = external_requests
    yield page
    context.close()
    assert external_requests == [], f"requests left the machine: {external_requests}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
