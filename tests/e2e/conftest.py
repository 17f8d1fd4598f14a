"""End-to-end fixtures: the system Chromium, a live server with the demo office, axe.

Every test in this folder is marked ``e2e``. The browser is Debian's ``/usr/bin/chromium``
(Playwright's own download needs the internet); without it the tests are skipped, or fail
when ``CI=true``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from playwright.sync_api import Page
from werkzeug.serving import make_server

from intranet.demo import seed_demo_office

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install -y chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    # Replaces pytest-playwright 0.10's fallback fixture, a method on a plugin object that
    # pytest 9.2 reports as PytestRemovedIn10Warning (an error with filterwarnings=error).
    return pytestconfig.getoption("--base-url", None) or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # bypass_csp: the app's CSP (script-src 'self') would block the injected axe script.
    return {**browser_context_args, "locale": "id-ID", "bypass_csp": True}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app with the demo office, served on 127.0.0.1 from a thread; yields its URL.

    Request it before ``page`` so that the browser closes before the server stops.
    """
    with force_locale("id"):  # as `flask seed-demo` does: role labels need a locale
        seed_demo_office()  # commits; the app fixture's context stays on this thread
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _describe(violation: dict) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']}"]
    lines.append(f"    {violation['helpUrl']}")
    for node in violation["nodes"][:5]:
        lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"       {summary[:300]}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def axe_check(page: Page) -> None:
    """Run axe-core on the page; fail on serious or critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("axe.run()")
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        report = "\n".join(_describe(v) for v in blocking)
        pytest.fail(f"axe: {len(blocking)} serious/critical violation(s) on {page.url}\n{report}")
