"""A failing browser test leaves a screenshot and the page's HTML (tests/support/browser.py)."""

from __future__ import annotations

import pytest

from tests.support.browser import ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    driver = getattr(item.module, "DRIVER", None)
    if report.when == "call" and report.failed and driver is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        base = ARTIFACTS / item.name
        try:
            driver.save_screenshot(str(base.with_suffix(".png")))
            base.with_suffix(".html").write_text(driver.page_source, encoding="utf-8")
            report.sections.append(("screenshot", str(base.with_suffix(".png"))))
        except Exception as exc:  # the browser itself may be what failed
            report.sections.append(("screenshot", f"none: {exc!r}"))
