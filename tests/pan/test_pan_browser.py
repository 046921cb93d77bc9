"""The mediator page in a real browser (Debian's chromium through Selenium) against the real
stack (gateway, Rasa, action server; tests/support/stack.py): only Twilio's server is played
at HTTP. One browser and one stack for the module; every page is checked by axe-core.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select, update

from bot import signing
from bot.booking import convocation
from bot.booking.mediators import Consent, MediatorAudit
from bot.booking.models import Booking
from bot.db import make_engine, make_session_factory, utcnow
from bot.pan import accounts
from bot.pan.models import PanMessage, PanSession
from bot.pan.web import REFUSALS
from tests.support import providers
from tests.support.browser import axe_violations, start_browser
from tests.support.qr import pdf_text, qr_payloads, words
from tests.support.stack import Phone, stack_with_fakes

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


def _gone(element) -> bool:
    """The element left the document: the next page replaced it (chromium may also say the
    node "does not belong to the document")."""
    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


def submit(driver, button) -> None:
    """Clicks a submit button and waits for the next page (a Rasa turn may take seconds)."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 60).until(lambda _d: _gone(page))
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


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
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/pan/login'] button"))


def error_text(driver) -> str:
    found = driver.find_elements(By.ID, "erreur")
    return found[0].text if found else ""


def ask_consent(driver, twilio, phone: str, language: str) -> str:
    """Sends the code to `phone`; returns the SMS the fake Twilio received."""
    before = len(providers.sms_to(twilio, phone))
    driver.find_element(By.ID, "phone").send_keys(phone)
    driver.find_element(By.CSS_SELECTOR, f"#language option[value='{language}']").click()
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/pan/consent'] button"))
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
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/pan/consent/code'] button"))


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
    submit(browser, browser.find_element(By.ID, "logout"))
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
    assert error_text(browser) == REFUSALS["login"]
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
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/pan/consent'] button"))
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


def conversation(driver) -> list[tuple[str, str, str, str, str]]:
    """(who, text, its lang, its dir, French beside it) of each row."""
    rows = []
    for row in driver.find_elements(By.CSS_SELECTOR, "#conversation tbody tr"):
        original = row.find_element(By.CSS_SELECTOR, "td.original")
        french = row.find_element(By.CSS_SELECTOR, "td.french")
        rows.append(
            (
                row.find_element(By.TAG_NAME, "th").text,
                original.text,
                original.get_attribute("lang"),
                original.get_attribute("dir"),
                french.text,
            )
        )
    return rows


def write(driver, text: str) -> None:
    field = driver.find_element(By.ID, "text")
    field.send_keys(text)
    submit(driver, driver.find_element(By.ID, "send"))


def choose(driver, index: int) -> str:
    """Presses the index-th proposed button (1-based); returns its title."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "button.choice")
    title = buttons[index - 1].text
    submit(driver, buttons[index - 1])
    return title


ARABIC = re.compile(r"[\u0600-\u06ff]")
CONVOCATION = re.compile(r"Code : ([0-9A-Z]{4}-[0-9A-Z]{4})")
APPLICANT = "+33611220003"


def test_a_full_booking_in_arabic_with_french_beside_each_message(stack, browser, mediators, db):
    settings, rasa, gateway, twilio, _telegram = stack
    rasa.start()
    open_page(browser, gateway)
    log_in(browser, gateway, "sami")
    sms = ask_consent(browser, twilio, APPLICANT, "ar")
    assert "سحب" in sms and "Périgueux" in sms, sms
    type_code(browser, CODE_IN_SMS.search(sms).group(1))
    clicks, typed = 2, 0  # the code's button, and the consent's
    # What the applicant answers, as a person beside the mediator would: a sentence, buttons
    # (1-based), a postal code, a day, the numéro étranger.
    for step in ("أريد تجديد بطاقة الإقامة", 1, 2, "38000", "الاثنين", 1, "7501234569", 1):
        if isinstance(step, int):
            choose(browser, step)
        else:
            write(browser, step)
            typed += 1
        clicks += 1
        assert error_text(browser) == ""
    rows = conversation(browser)
    bot_rows = [r for r in rows if r[0] == "Guichet"]
    assert len(bot_rows) >= 8, rows
    for _who, text, lang, direction, french in bot_rows:
        assert (lang, direction) == ("ar", "rtl"), (text, lang, direction)
        assert ARABIC.search(text), text
        assert french and not ARABIC.search(french), (text, french)
    french_all = "\n".join(r[4] for r in bot_rows)
    assert "Renouvellement de la carte de résident" in french_all
    assert "Dans quel département habitez-vous ?" in french_all
    match = CONVOCATION.search(french_all)
    assert match and "Rendez-vous confirmé" in french_all, french_all
    code = match.group(1)
    assert code in rows[-1][1]  # the same code in the Arabic message
    listed = browser.find_element(By.ID, "bookings").text
    assert code.replace("-", "") in listed.replace("-", "") and "pris avec un médiateur" in listed
    accessible(browser)
    with db() as session:
        booking = session.scalars(select(Booking).order_by(Booking.id.desc())).first()
        sami = accounts.by_login(session, "sami")
        assert booking.applicant.phone == APPLICANT  # the applicant's: convocation, reminders
        assert booking.mediator_ref == f"pan:{sami.id}"
        assert booking.booked_by.value == "mediator"
        messages = session.scalars(select(PanMessage)).all()
        assert not any("7501234569" in m.text for m in messages)  # the numéro is sealed
        audit_rows = [a for a in session.scalars(select(MediatorAudit)) if a.mediator_id == sami.id]
    assert [a.action for a in audit_rows].count("message") == 8
    assert all(a.applicant in (None, "+336******03") for a in audit_rows), audit_rows
    print(f"\nassisted booking: {clicks} clicks, {typed} typed messages, code {code}")


def post_form(driver, gateway: str, selector: str) -> httpx.Response:
    """Submits a page's form as the browser would (its action, its CSRF token, the session
    cookie), keeping the answer: a PDF the browser would open in a new tab."""
    form = driver.find_element(By.CSS_SELECTOR, selector)
    action = form.get_attribute("action")
    csrf = form.find_element(By.NAME, "csrf").get_attribute("value")
    cookie = driver.get_cookie("pan_session")["value"]
    return httpx.post(action, data={"csrf": csrf}, cookies={"pan_session": cookie}, timeout=60)


def test_print_the_convocation_with_its_signed_qr_the_checklist_and_the_transcript(
    stack, browser, mediators, db
):
    settings, _rasa, gateway, _twilio, _telegram = stack
    # The booking of the Arabic test is on the page (tests of a module run in order).
    assert browser.find_elements(By.CSS_SELECTOR, ".print-convocation"), "run with the booking test"
    answer = post_form(browser, gateway, "form[action^='/pan/print/convocation/']")
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert "no-store" in answer.headers["cache-control"]
    text = pdf_text(answer.content)
    with db() as session:
        booking = session.scalars(select(Booking).order_by(Booking.id.desc())).first()
        code = booking.code
    shown_code = f"{code[:4]}-{code[4:]}"
    assert "Convocation à la préfecture" in text and shown_code in text, text
    assert "Renouvellement de la carte de résident" in text
    assert {"موعد", "المحافظة"} & words(text) or ARABIC.search(text), text  # Arabic beside
    assert "611220003" not in text  # never the phone
    payloads = qr_payloads(answer.content)
    assert len(payloads) == 1, payloads
    public = settings.convocation_key().public_key()
    facts = signing.read(payloads[0], public)
    assert facts.code == code and facts.site == "pref-38"
    with db() as session:
        assert convocation.verify_presented(session, payloads[0], public, now=utcnow()).valid
        head, _, signature = payloads[0].rpartition(".")
        forged = f"{head}.{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"
        refused = convocation.verify_presented(session, forged, public, now=utcnow())
        assert (refused.valid, refused.reason) == (False, "invalid_signature")
        moved = payloads[0].replace(code, "AAAAAAAA", 1)
        assert not convocation.verify_presented(session, moved, public, now=utcnow()).valid
    checklist = post_form(browser, gateway, "form[action^='/pan/print/checklist/']")
    assert checklist.status_code == 200
    assert "Documents à apporter" in pdf_text(checklist.content)
    transcript = post_form(browser, gateway, "form[action='/pan/print/transcript']")
    assert transcript.status_code == 200
    assert "Rendez-vous confirmé" in pdf_text(transcript.content)
    with db() as session:
        printed = [
            a.detail for a in session.scalars(select(MediatorAudit)) if a.action == "printed"
        ]
    assert len(printed) == 3, printed


def test_consent_ended_by_sms_then_the_page_refuses(stack, browser, mediators, db):
    settings, _rasa, gateway, _twilio, _telegram = stack
    # Sami holds the Arabic consent of the booking test; run alone, the test asks for one.
    if not browser.find_elements(By.ID, "conversation"):
        open_page(browser, gateway)
        log_in(browser, gateway, "sami")
        sms = ask_consent(browser, stack[3], APPLICANT, "ar")
        type_code(browser, CODE_IN_SMS.search(sms).group(1))
    assert browser.find_elements(By.ID, "conversation")
    replies = Phone(gateway, settings.public_url, APPLICANT).send("سحب")
    assert replies and "تم سحب موافقتك" in replies[0], replies
    browser.get(f"{gateway}/pan")
    assert "retiré son accord" in error_text(browser)
    assert not browser.find_elements(By.ID, "conversation")
    assert not browser.find_elements(By.ID, "bookings")
    assert browser.find_elements(By.ID, "phone")  # back to asking consent
    # A form posted from the old page is refused too.
    browser.back()
    if browser.find_elements(By.ID, "text"):
        write(browser, "مرحبا")
        assert not browser.find_elements(By.ID, "conversation")
    with db() as session:
        consent = session.scalars(select(Consent).order_by(Consent.id.desc())).first()
        assert consent.status == "revoked"


def test_an_expired_session_is_refused(stack, browser, mediators, db):
    _settings, _rasa, gateway, _twilio, _telegram = stack
    open_page(browser, gateway)
    log_in(browser, gateway, "marie")
    assert browser.find_elements(By.ID, "phone")
    with db() as session:
        session.execute(
            update(PanSession)
            .where(PanSession.ended_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    browser.get(f"{gateway}/pan")
    assert error_text(browser) == "Votre session a expiré. Connectez-vous de nouveau."
    assert browser.get_cookie("pan_session") is None
    assert browser.find_elements(By.ID, "password")
