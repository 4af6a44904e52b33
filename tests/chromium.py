"""Debian's Chromium for the browser tests and the reliability run: one path and one set of
flags, so that no test ever downloads a browser or launches it differently."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (make test installs it)"
)


def installed() -> bool:
    """Whether Debian's Chromium is there (make debian installs it)."""
    return shutil.which(CHROMIUM) is not None


@contextmanager
def launched() -> Iterator[Browser]:
    """Debian's Chromium, headless, closed at the end; screenshots go to ARTIFACTS."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_of(browser: Browser) -> Page:
    """A page that fails the test on any script error."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda error: pytest.fail(f"script error on {page.url}: {error}"))
    return page
