"""Browser fixtures: the app served on a loopback port, and Debian's Chromium via Playwright.

Browser tests are skipped when /usr/bin/chromium is missing, unless CONTEST_REQUIRE_BROWSER is
set (``.ci/run`` sets it, so CI fails instead of silently skipping).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CONTEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 1024, "height": 768},
    "laptop": {"width": 1366, "height": 768},
    "1080p": {"width": 1920, "height": 1080},
}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def browser_status() -> str:
    """One line for the report header: whether the browser tests run, skip or must run."""
    if _chromium_available():
        found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        return f"browser tests: Chromium at {found}"
    if os.environ.get("CONTEST_REQUIRE_BROWSER"):
        return f"browser tests: required (CONTEST_REQUIRE_BROWSER) but no Chromium at {CHROMIUM}"
    return f"browser tests: SKIPPED, no Chromium at {CHROMIUM} (make browser-deps, as root)"


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    if not _chromium_available():
        if os.environ.get("CONTEST_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; run `make browser-deps`")
        pytest.skip("Chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def new_page(playwright_browser: Any, engine_name: str) -> Iterator[Callable[..., Any]]:
    """Open a page at a named viewport size; pages and contexts are closed after the test."""
    contexts: list[Any] = []

    def _open(viewport: str = "laptop", **options: Any) -> Any:
        context = playwright_browser.new_context(
            viewport=VIEWPORTS[viewport], locale="zh-CN", **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(engine_name: str, request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under tests/artifacts/screenshots/<engine>/."""

    def _shoot(page: Any, name: str) -> Path:
        folder = ARTIFACTS / engine_name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
