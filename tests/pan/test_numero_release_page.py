"""The mediator page's release of a booking held under the applicant's numéro étranger by another
phone (decision 0024): a form of /pan like the others (session, CSRF, the owner's live consent),
answered with the page itself. Without a browser: the page's HTML through the gateway app."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.booking import bookings, releases
from bot.booking.bookings import BookRequest
from bot.booking.mediators import MediatorAudit
from bot.booking.models import BookingStatus, CancelReason
from bot.pan import accounts, consent
from bot.pan.models import PanSession
from bot.pan.web import REFUSALS, SESSION_COOKIE
from bot.ratelimit import RateLimiter
from bot.scheduler.models import MessageKind, ScheduledMessage
from bot.scheduler.planning import plan_release_notices
from tests.support import world
from tests.support.booking import published_app
from tests.support.world import CONFIG, DUPLICATA, NUMERO, PHONE_A, PHONE_B

SECRET = "test-key"
OWNER = PHONE_A
STRANGER = PHONE_B
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def page(sqlite_factory, clock):
    app = published_app(sqlite_factory, clock, secret_key=SECRET)
    with sqlite_factory.begin() as session:
        mediator = accounts.add(
            session, "marie", "Marie", "pref-24", "a long password", now=clock()
        )
        row, token = accounts.open_session(session, mediator, timedelta(hours=1), now=clock())
        mediator_id, row_id = mediator.id, row.id
    app.state.limiter = RateLimiter()
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, accounts.cookie_value(token, SECRET))
        client.factory = sqlite_factory  # type: ignore[attr-defined]
        client.mediator_id = mediator_id  # type: ignore[attr-defined]
        client.row_id = row_id  # type: ignore[attr-defined]
        yield client


def consent_of(page, clock, phone: str) -> None:
    """The person beside the mediator read out the code sent to `phone`: the page holds it."""
    with page.factory.begin() as session:
        mediator = session.get(accounts.Mediator, page.mediator_id)
        asked = consent.ask(session, mediator, phone, "ar", SECRET, now=clock())
        code = re.search(r"\b(\d{6})\b", asked.message.text).group(1)
        consent.confirm(session, asked.consent, code, SECRET, now=clock())
        session.get(PanSession, page.row_id).consent_id = asked.consent.id


def stranger_books(page, clock) -> str:
    with page.factory.begin() as session:
        slot = next(s for s in world.slots(session, DUPLICATA) if s.starts_at > clock())
        request = BookRequest(slot_id=slot.id, phone=STRANGER, numero_etranger=NUMERO)
        return bookings.book(session, CONFIG, request, now=clock()).code


def post_release(page, numero: str = NUMERO, card_seen: bool = True, csrf: str | None = None):
    if csrf is None:
        csrf = CSRF.search(page.get("/pan").text).group(1)
    form = {"csrf": csrf, "numero": numero}
    if card_seen:
        form["card_seen"] = "yes"
    return page.post("/pan/numero/release", data=form)


def status_of(page, code: str) -> BookingStatus:
    with page.factory() as session:
        return bookings.find_by_code(session, code).status


def released_audits(page) -> list[MediatorAudit]:
    with page.factory() as session:
        return list(
            session.scalars(
                select(MediatorAudit).where(MediatorAudit.action == releases.AUDIT_ACTION)
            )
        )


def test_with_the_owners_consent_the_mediator_releases_and_the_owner_books(page, clock):
    taken = stranger_books(page, clock)
    consent_of(page, clock, OWNER)
    shown = page.get("/pan").text
    assert 'action="/pan/numero/release"' in shown and 'id="card_seen"' in shown

    answer = post_release(page, numero="12 34 56 78 90")

    assert answer.status_code == 200, answer.text
    assert 'id="liberation"' in answer.text and taken in answer.text
    assert STRANGER not in answer.text and NUMERO not in answer.text
    with page.factory() as session:
        released = bookings.find_by_code(session, taken)
        assert released.status is BookingStatus.CANCELLED
        assert released.cancel_reason == CancelReason.NUMERO_RELEASED.value
    [audit] = released_audits(page)
    assert (audit.mediator_id, audit.detail) == (page.mediator_id, taken)
    assert OWNER not in (audit.applicant or "") and STRANGER not in (audit.applicant or "")
    # The owner now books under their own numéro, with the mediator beside them.
    with page.factory.begin() as session:
        slot = next(s for s in world.slots(session, DUPLICATA) if s.places_left > 0)
        mine = BookRequest(slot_id=slot.id, phone=OWNER, numero_etranger=NUMERO)
        assert bookings.book(session, CONFIG, mine, now=clock()).status is BookingStatus.BOOKED


def test_without_the_owners_live_consent_nothing_is_released(page, clock):
    taken = stranger_books(page, clock)
    answer = post_release(page)  # logged in, no consent held
    assert answer.status_code == 403
    assert REFUSALS["no_consent"].split(" :")[0] in answer.text.replace("&#39;", "'")
    consent_of(page, clock, OWNER)
    with page.factory.begin() as session:
        consent.revoke_all(session, OWNER, SECRET, now=clock())  # RETIRER by SMS
    assert post_release(page).status_code == 403
    assert status_of(page, taken) is BookingStatus.BOOKED and released_audits(page) == []


def test_the_strangers_own_consent_releases_nothing(page, clock):
    """A phone is no credential: the stranger beside a mediator, whose phone consents, cannot
    release what their own phone holds, numéro typed or not."""
    taken = stranger_books(page, clock)
    consent_of(page, clock, STRANGER)
    answer = post_release(page)
    assert answer.status_code == 404
    assert "rien à libérer" in answer.text.replace("&#39;", "'")
    assert status_of(page, taken) is BookingStatus.BOOKED and released_audits(page) == []


@pytest.mark.parametrize(
    ("numero", "card_seen", "status", "says"),
    [
        (NUMERO, False, 422, "Cochez la case"),
        ("12345", True, 422, "exactement 10 chiffres"),
        ("", True, 422, "exactement 10 chiffres"),
        ("x" * 500, True, 422, "exactement 10 chiffres"),
        ("9876543210", True, 404, "rien à libérer"),
    ],
)
def test_bad_input_is_a_clear_french_refusal_never_a_500(
    page, clock, numero, card_seen, status, says
):
    taken = stranger_books(page, clock)
    consent_of(page, clock, OWNER)
    answer = post_release(page, numero=numero, card_seen=card_seen)
    assert answer.status_code == status
    assert says in answer.text.replace("&#39;", "'")
    assert status_of(page, taken) is BookingStatus.BOOKED


def test_a_form_without_the_sessions_csrf_token_is_refused(page, clock):
    taken = stranger_books(page, clock)
    consent_of(page, clock, OWNER)
    assert post_release(page, csrf="forged").status_code == 403
    page.cookies.clear()
    assert post_release(page, csrf="forged").status_code == 401  # no session at all
    assert status_of(page, taken) is BookingStatus.BOOKED


def test_posted_twice_it_says_the_same_and_the_stranger_is_told_once(page, clock):
    taken = stranger_books(page, clock)
    consent_of(page, clock, OWNER)
    assert post_release(page).status_code == 200
    again = post_release(page)
    assert again.status_code == 200 and "Déjà libérés" in again.text and taken in again.text
    assert len(released_audits(page)) == 1
    for _ in range(2):
        with page.factory.begin() as session:
            plan_release_notices(session, now=clock())
    with page.factory() as session:
        notices = session.scalars(
            select(ScheduledMessage).where(
                ScheduledMessage.kind == MessageKind.NUMERO_RELEASED.value
            )
        ).all()
    assert [n.phone for n in notices] == [STRANGER]


def test_a_consent_that_ran_out_while_the_page_was_open_is_refused(page, clock):
    taken = stranger_books(page, clock)
    consent_of(page, clock, OWNER)
    csrf = CSRF.search(page.get("/pan").text).group(1)
    with page.factory.begin() as session:
        held = session.get(PanSession, page.row_id).consent_id
        session.execute(
            update(consent.Consent)
            .where(consent.Consent.id == held)
            .values(expires_at=clock() - timedelta(seconds=1))
        )
    answer = post_release(page, csrf=csrf)
    assert answer.status_code == 403
    assert REFUSALS["consent_ended"].replace("'", "&#39;") in answer.text
    assert status_of(page, taken) is BookingStatus.BOOKED


def test_a_locked_account_answers_as_an_unknown_login(page):
    """A distinct 423 « bloqué » for a real login after five wrong passwords, and 401 for an
    unknown one, told which mediators exist (an attacker's test, session 30)."""
    page.cookies.clear()

    def attempt(login: str, password: str) -> tuple[int, str]:
        csrf = CSRF.search(page.get("/pan").text).group(1)
        answer = page.post("/pan/login", data={"csrf": csrf, "login": login, "password": password})
        return answer.status_code, answer.text

    for _ in range(6):
        locked = attempt("marie", "wrong")
        unknown = attempt("nobody.here", "wrong")
    assert locked[0] == unknown[0] == 401
    assert REFUSALS["login"] in locked[1] and REFUSALS["login"] in unknown[1]
    # Locked: the right password opens nothing for now.
    assert attempt("marie", "a long password")[0] == 401


@pytest.mark.parametrize(
    "path", ["/pan/waitlist/99999999999999999999/leave", "/pan/offers/99999999999999999999/accept"]
)
def test_an_id_beyond_the_database_is_a_client_error(page, path):
    # 500 from SQLite's OverflowError (an attacker's test, session 30).
    csrf = CSRF.search(page.get("/pan").text).group(1)
    assert page.post(path, data={"csrf": csrf}).status_code == 422
