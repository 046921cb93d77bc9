"""A real browser for the page tests: Debian's chromium and chromium-driver (`make system-deps`
installs them), driven by Selenium with both paths given, so that Selenium Manager never
downloads a browser or a driver. axe-core (vendored from npm: tests/support/axe/) checks
accessibility in the page itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.support.skips import unavailable

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# What a failing browser test leaves behind (tests/pan/conftest.py takes the screenshot).
ARTIFACTS = Path(os.environ.get("GUICHET_TEST_ARTIFACTS", "var/test-artifacts"))


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        unavailable("no chromium / chromedriver on PATH: run `make system-deps` (as root)")
    return browser, driver


def start_browser() -> Any:
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager may not reach the network either
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=fr-FR",
    ):
        options.add_argument(argument)
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.set_page_load_timeout(60)
    chrome.set_script_timeout(60)
    return chrome


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations (WCAG 2.0/2.1 A and AA rules) of the page."""
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\nreturn true;")
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'best-practice']}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));"
    )
    return [v for v in found if v.get("impact") in ("serious", "critical")]
