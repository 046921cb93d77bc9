"""The counter's page /verify in a real browser (Debian's chromium): a scanned QR payload typed
by a USB scanner gives VALIDE with the slot, a tampered one INVALIDE; axe-core finds no serious
or critical violation on the form and on either verdict."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from bot import signing
from bot.booking import convocation
from bot.config import Settings
from bot.gateway.app import create_app
from bot.ratelimit import RateLimiter
from tests.support import world
from tests.support.browser import axe_violations, start_browser
from tests.support.servers import free_port, serve_in_thread

SIGNING = "counter-browser-key"
KEY = signing.private_key(SIGNING)
DRIVER = None  # the module's browser, for the screenshot hook (tests/pan/conftest.py)


@pytest.fixture
def counter(sqlite_factory, clock):
    settings = Settings(database_url="sqlite://", secret_key="test-key", signing_key=SIGNING)
    app = create_app(settings, sqlite_factory, clock=clock)
    app.state.limiter = RateLimiter()
    with sqlite_factory.begin() as session:
        booking = world.booked_world(session, now=clock())
        payload = convocation.payload_of(booking, KEY)
    with serve_in_thread(app, free_port()) as url:
        yield url, payload


@pytest.fixture
def browser():
    global DRIVER
    driver = start_browser()
    DRIVER = driver
    yield driver
    DRIVER = None
    driver.quit()


def _present(browser, url: str, presented: str) -> str:
    browser.get(f"{url}/verify")
    field = browser.switch_to.active_element  # the form opens with the field focused
    assert field.get_attribute("id") == "presented"
    field.send_keys(presented, Keys.ENTER)  # what a USB QR scanner types
    return browser.find_element(By.ID, "verdict").text


def test_a_scanned_payload_is_valid_and_a_tampered_one_invalid_with_no_axe_violation(
    counter, browser
) -> None:
    url, payload = counter
    browser.get(f"{url}/verify")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert axe_violations(browser) == []
    assert _present(browser, url, payload) == "VALIDE"
    assert axe_violations(browser) == []
    code = payload.split(".")[1]
    shown = browser.find_element(By.TAG_NAME, "main").text
    assert f"{code[:4]}-{code[4:]}" in shown and "Périgueux" in shown  # the code, the site
    assert "Signature de la préfecture vérifiée" in shown
    tampered = payload.replace(code, code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert _present(browser, url, tampered) == "INVALIDE"
    assert axe_violations(browser) == []
