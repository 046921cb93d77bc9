"""The mediator page in a real browser (Debian's chromium through Selenium) against the real
stack (gateway, Rasa, action server; tests/support/stack.py): only Twilio's server is played
at HTTP. One browser and one stack for the module; every page is checked by axe-core.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from bot.booking.mediators import Consent, MediatorAudit
from bot.db import make_engine, make_session_factory, utcnow
from bot.pan import accounts
from bot.pan.models import PanSession
from tests.support import providers
from tests.support.browser import axe_violations, start_browser
from tests.support.stack import stack_with_fakes

pytestmark = pytest.mark.rasa

PASSWORD = "correct horse battery"
CODE_IN_SMS = re.compile(r"\b(\d{6})\b")
DRIVER = None  # the module's browser, for the screenshot hook (tests/pan/conftest.py)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("pan")) as running:
        yield running


@pytest.fixture(scope="module")
def db(stack):
    settings = stack[0]
    engine = make_engine(settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(stack):
    global DRIVER
    driver = start_browser()
    DRIVER = driver
    yield driver
    DRIVER = None
    driver.quit()


@pytest.fixture(scope="module")
def mediators(db):
    with db() as session:
        for login in ("marie", "paul", "lea", "sami"):
            accounts.add(session, login, login.title(), "pref-24", PASSWORD, now=utcnow())
        session.commit()


def accessible(driver) -> None:
    violations = axe_violations(driver)
    assert violations == [], violations


def open_page(driver, gateway: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{gateway}/pan")


def log_in(driver, gateway: str, login: str, password: str = PASSWORD) -> None:
    if "/pan" not in driver.current_url:
        driver.get(f"{gateway}/pan")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/pan/login'] button").click()


def error_text(driver) -> str:
    found = driver.find_elements(By.ID, "erreur")
    return found[0].text if found else ""


def ask_consent(driver, twilio, phone: str, language: str) -> str:
    """Sends the code to `phone`; returns the SMS the fake Twilio received."""
    before = len(providers.sms_to(twilio, phone))
    driver.find_element(By.ID, "phone").send_keys(phone)
    driver.find_element(By.CSS_SELECTOR, f"#language option[value='{language}']").click()
    driver.find_element(By.CSS_SELECTOR, "form[action='/pan/consent'] button").click()
    deadline = time.monotonic() + 10
    while len(providers.sms_to(twilio, phone)) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    sent = providers.sms_to(twilio, phone)
    assert len(sent) == before + 1, sent
    return sent[-1]


def type_code(driver, code: str) -> None:
    field = driver.find_element(By.ID, "code")
    field.clear()
    field.send_keys(code)
    driver.find_element(By.CSS_SELECTOR, "form[action='/pan/consent/code'] button").click()


def test_login_shows_the_consent_step_and_logout_leaves_nothing(stack, browser, mediators, db):
    _settings, _rasa, gateway, _twilio, _telegram = stack
    open_page(browser, gateway)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    accessible(browser)
    log_in(browser, gateway, "marie")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accord de la personne"
    cookie = browser.get_cookie("pan_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    accessible(browser)
    browser.find_element(By.ID, "logout").click()
    assert browser.get_cookie("pan_session") is None
    assert browser.find_elements(By.ID, "password")  # back to the login form
    with db() as session:
        assert all(row.ended_at for row in session.scalars(select(PanSession)))
    # The old cookie opens nothing once the session ended on the server.
    browser.add_cookie({"name": "pan_session", "value": cookie["value"], "path": "/pan"})
    browser.get(f"{gateway}/pan")
    assert browser.find_elements(By.ID, "password")


def test_wrong_password_then_lockout(stack, browser, mediators, db):
    _settings, _rasa, gateway, _twilio, _telegram = stack
    open_page(browser, gateway)
    log_in(browser, gateway, "paul", "wrong password")
    assert error_text(browser) == "Identifiant ou mot de passe incorrect."
    for _ in range(4):
        log_in(browser, gateway, "paul", "still wrong")
    assert "bloqué" in error_text(browser)
    log_in(browser, gateway, "paul")  # the right password: still locked
    assert "bloqué" in error_text(browser)
    assert browser.get_cookie("pan_session") is None
    with db() as session:
        actions = [a.action for a in session.scalars(select(MediatorAudit))]
    assert actions.count("login_failed") == 5 and "login_locked" in actions


def test_a_form_without_the_csrf_token_is_refused(stack, browser, mediators):
    _settings, _rasa, gateway, _twilio, _telegram = stack
    open_page(browser, gateway)
    log_in(browser, gateway, "lea")
    browser.execute_script(
        "document.querySelectorAll(\"input[name='csrf']\").forEach(i => { i.value = 'forged'; });"
    )
    browser.find_element(By.ID, "phone").send_keys("0611220001")
    browser.find_element(By.CSS_SELECTOR, "form[action='/pan/consent'] button").click()
    assert "ne vient pas de cette page" in error_text(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accord de la personne"


def test_consent_by_sms_code_and_wrong_code_lockout(stack, browser, mediators, db):
    _settings, _rasa, gateway, twilio, _telegram = stack
    open_page(browser, gateway)
    log_in(browser, gateway, "lea")
    sms = ask_consent(browser, twilio, "+33611220002", "en")
    assert "PAN in Périgueux" in sms and "REVOKE" in sms, sms
    code = CODE_IN_SMS.search(sms).group(1)
    accessible(browser)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        type_code(browser, wrong)
        assert error_text(browser) == "Ce code n'est pas le bon. Vérifiez-le avec la personne."
    type_code(browser, wrong)
    assert "Cinq codes faux" in error_text(browser)
    assert browser.find_elements(By.ID, "phone")  # back to the phone step: nothing visible
    with db() as session:
        consent = session.scalars(select(Consent).order_by(Consent.id.desc())).first()
        assert consent.status == "locked"
        # Never the phone in clear in the store.
        assert (
            "611220002" not in f"{consent.phone_hash}{consent.phone_sealed}{consent.phone_masked}"
        )
    # A new code, typed right, opens the conversation.
    sms = ask_consent(browser, twilio, "+33611220002", "en")
    type_code(browser, CODE_IN_SMS.search(sms).group(1))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Conversation avec la personne"
    assert "+33611220002" in browser.find_element(By.ID, "accord").text
    accessible(browser)
