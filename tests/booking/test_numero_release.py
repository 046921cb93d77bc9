"""Decision 0024, attack 2: a stranger books under someone else's numéro étranger from their
own phone, and its owner is locked out. Someone who saw the card (a PAN mediator beside the
owner, or préfecture staff) releases it: the place goes to the waitlist, the stranger's phone is
told why once, the release is audited without a phone or numéro in clear. A phone number, or a
typed numéro alone, releases nothing. On SQLite and on PostgreSQL; the staff route over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.booking import bookings, releases, waitlist
from bot.booking.bookings import BookRequest
from bot.booking.mediators import MediatorAudit
from bot.booking.models import Booking, BookingStatus, CancelReason, Slot, WaitlistOffer
from bot.booking.releases import CardCheck
from bot.booking.waitlist import WaitlistRequest
from bot.i18n import translate
from bot.pan import accounts
from bot.ratelimit import RateLimiter
from bot.scheduler import messages
from bot.scheduler.models import MessageKind, ScheduledMessage
from bot.scheduler.planning import plan_all, plan_release_notices
from tests.support import world
from tests.support.booking import ADMIN, ADMIN_TOKEN, SERVICE, published_app, refused
from tests.support.world import CONFIG, DUPLICATA, NUMERO, PHONE_A, PHONE_B, PHONE_C, RESIDENT

OWNER = PHONE_A  # the numéro's owner, whose card is seen
STRANGER = PHONE_B  # booked under the owner's numéro from their own phone
STAFF = CardCheck(staff="admin-token")


def slot_ahead(factory, now: datetime, demarche: str = DUPLICATA, days: int = 7) -> Slot:
    """A free slot a week ahead: far enough for a waitlist offer to be worth making."""
    with factory() as session:
        return next(
            s
            for s in world.slots(session, demarche)
            if s.places_left > 0 and s.starts_at > now + timedelta(days=days)
        )


def book(factory, now: datetime, phone: str, demarche: str = DUPLICATA, **kw: object) -> str:
    slot = slot_ahead(factory, now, demarche)
    with factory.begin() as session:
        request = BookRequest(slot_id=slot.id, phone=phone, **kw)  # type: ignore[arg-type]
        return bookings.book(session, CONFIG, request, now=now).code


def release(
    factory, now: datetime, owner: str | None = OWNER, by: CardCheck = STAFF, numero=NUMERO
):
    with factory.begin() as session:
        done = releases.release_numero(
            session, CONFIG, numero, owner_phone=owner, checked_by=by, now=now
        )
        return [b.code for b in done.released], [b.code for b in done.already_released]


def booking(factory, code: str) -> Booking:
    with factory() as session:
        found = bookings.find_by_code(session, code)
        session.expunge(found)
        return found


def test_the_owner_locked_out_is_freed_by_a_release_and_can_then_book(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO, language="ar")
    with refused("already_booked_numero_etranger"):
        book(db, clock(), OWNER, numero_etranger=NUMERO)
    with db.begin() as session, refused("not_your_booking"):
        bookings.cancel(session, CONFIG, taken, phone=OWNER, now=clock())
    slot_id = booking(db, taken).slot_id

    assert release(db, clock()) == ([taken], [])

    released = booking(db, taken)
    assert released.status is BookingStatus.CANCELLED
    assert released.cancel_reason == CancelReason.NUMERO_RELEASED.value
    assert released.cancelled_at == clock()
    with db() as session:
        assert session.get(Slot, slot_id).places_taken == 0
    assert book(db, clock(), OWNER, numero_etranger=NUMERO)


def test_the_released_phone_cannot_take_the_numero_again(db, clock):
    book(db, clock(), STRANGER, numero_etranger=NUMERO)
    release(db, clock())
    with refused("numero_released"):
        book(db, clock(), STRANGER, numero_etranger=NUMERO)
    with refused("numero_released"):  # nor under the numéro its applicant row still carries
        book(db, clock(), STRANGER, demarche=RESIDENT)
    with db.begin() as session, refused("numero_released"):
        request = WaitlistRequest(phone=STRANGER, demarche_code=RESIDENT, site_code="pref-24")
        waitlist.join(session, CONFIG, request, now=clock())
    # Its own numéro is another matter; the owner books theirs.
    assert book(db, clock(), STRANGER, numero_etranger="1234567891")
    assert book(db, clock(), OWNER, numero_etranger=NUMERO)


def test_a_numero_typed_in_arabic_indic_digits_is_the_numero_on_the_card(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger="١٢٣٤٥٦٧٨٩٠")
    with refused("already_booked_numero_etranger"):
        book(db, clock(), OWNER, numero_etranger=NUMERO)
    assert release(db, clock(), numero="12 34 56 78 90") == ([taken], [])


def test_a_release_never_touches_a_booking_under_the_owners_own_phone(db, clock):
    mine = book(db, clock(), OWNER, numero_etranger=NUMERO)
    with refused("nothing_to_release"):
        release(db, clock())
    assert booking(db, mine).status is BookingStatus.BOOKED
    # A stranger who typed the numéro too: only theirs goes, the owner's other booking stays.
    theirs = book(db, clock(), STRANGER, demarche=RESIDENT, numero_etranger=NUMERO)
    assert release(db, clock()) == ([theirs], [])
    assert booking(db, mine).status is BookingStatus.BOOKED


def test_staff_without_the_owners_phone_releases_every_booking_under_the_numero(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    other_numero = book(db, clock(), PHONE_C, numero_etranger="1234567891")
    assert release(db, clock(), owner=None) == ([taken], [])
    assert booking(db, other_numero).status is BookingStatus.BOOKED


def test_a_phone_number_or_a_typed_numero_alone_releases_nothing(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    # The stranger, asked to show "the card", holds their own phone: their booking is theirs.
    with refused("nothing_to_release"):
        release(db, clock(), owner=STRANGER)
    for bad in ("", "   ", "12345", "0000000000", "12345678901234567890"):
        with refused("invalid_numero_etranger"):
            release(db, clock(), numero=bad)
    with refused("invalid_phone"):
        release(db, clock(), owner="not a phone")
    with refused("nothing_to_release"):
        release(db, clock(), numero="9876543210")
    # Nobody is a card check: the engine refuses to be called without saying who saw it.
    with pytest.raises(ValueError):
        CardCheck()
    assert booking(db, taken).status is BookingStatus.BOOKED


def test_a_cancelled_or_started_booking_is_not_released(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    with db.begin() as session:
        bookings.cancel(session, CONFIG, taken, phone=STRANGER, now=clock())
    with refused("nothing_to_release"):
        release(db, clock())
    assert booking(db, taken).cancel_reason is None

    again = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    clock.now = booking(db, again).slot.starts_at + timedelta(minutes=1)
    with refused("nothing_to_release"):
        release(db, clock())
    assert booking(db, again).status is BookingStatus.BOOKED


def test_the_freed_place_goes_to_the_waitlist(db, clock):
    taken = book(db, clock(), STRANGER, demarche=RESIDENT, numero_etranger=NUMERO)
    slot_id = booking(db, taken).slot_id
    with db.begin() as session:  # every other place is taken: the waitlist waits
        session.execute(
            update(Slot)
            .where(Slot.demarche_code == RESIDENT, Slot.id != slot_id)
            .values(places_taken=Slot.capacity)
        )
    with db.begin() as session:
        request = WaitlistRequest(phone=PHONE_C, demarche_code=RESIDENT, site_code="pref-24")
        entry_id = waitlist.join(session, CONFIG, request, now=clock()).id
    with db() as session:
        assert session.scalars(select(WaitlistOffer)).all() == []

    release(db, clock())

    with db() as session:
        offer = session.scalars(select(WaitlistOffer)).one()
        assert (offer.entry_id, offer.slot_id) == (entry_id, slot_id)
        assert session.get(Slot, slot_id).places_taken == 1  # held for the offer


def test_posted_twice_it_releases_once_and_the_notice_is_planned_once(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO, language="ar")
    slot_id = booking(db, taken).slot_id
    assert release(db, clock()) == ([taken], [])
    clock.advance(seconds=5)
    assert release(db, clock()) == ([], [taken])
    with db() as session:
        assert session.get(Slot, slot_id).places_taken == 0  # given back once
        audits = session.scalars(
            select(MediatorAudit).where(MediatorAudit.action == releases.AUDIT_ACTION)
        ).all()
        assert len(audits) == 1

    for _ in range(2):
        with db.begin() as session:
            plan_release_notices(session, now=clock())
            plan_all(session, now=clock(), reminder_ahead=timedelta(hours=48))
    with db() as session:
        notices = session.scalars(
            select(ScheduledMessage).where(
                ScheduledMessage.kind == MessageKind.NUMERO_RELEASED.value
            )
        ).all()
        assert len(notices) == 1
        notice = notices[0]
        released = bookings.find_by_code(session, taken)
        assert notice.key == f"numero-released:{released.id}"
        assert notice.phone == STRANGER and notice.language == "ar"
    # In the stranger's language, with their code; a translation, not the French source.
    assert "بطاقة إقامته" in notice.body
    assert notice.body != translate(messages.NUMERO_RELEASED, "fr", when="", code="")


def test_a_release_is_audited_with_who_when_and_the_code_never_a_phone_or_numero(db, clock):
    with db.begin() as session:
        mediator = accounts.add(
            session, "marie", "Marie", "pref-24", "a long password", now=clock()
        )
        mediator_id = mediator.id
    by_mediator = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    release(db, clock(), by=CardCheck(mediator_id=mediator_id))
    by_staff = book(db, clock(), PHONE_C, demarche=RESIDENT, numero_etranger=NUMERO)
    release(db, clock(), owner=None)

    with db() as session:
        rows = session.scalars(
            select(MediatorAudit)
            .where(MediatorAudit.action == releases.AUDIT_ACTION)
            .order_by(MediatorAudit.id)
        ).all()
    assert [(r.mediator_id, r.detail, r.at) for r in rows] == [
        (mediator_id, by_mediator, clock()),
        (None, f"{by_staff} staff=admin-token", clock()),
    ]
    everything = " ".join(f"{r.applicant} {r.detail}" for r in rows)
    for secret in (OWNER, STRANGER, PHONE_C, NUMERO, OWNER[1:], STRANGER[1:], NUMERO[:7]):
        assert secret not in everything
    assert rows[0].applicant == "+336******78"  # the owner, masked as every audit line


def test_the_database_refuses_a_release_reason_on_a_booking_that_stands(db, clock):
    taken = book(db, clock(), STRANGER, numero_etranger=NUMERO)
    for reason in (CancelReason.NUMERO_RELEASED.value, "whatever"):
        with pytest.raises(IntegrityError), db.begin() as session:
            session.execute(
                update(Booking).where(Booking.code == taken).values(cancel_reason=reason)
            )
    with pytest.raises(IntegrityError), db.begin() as session:
        session.execute(
            update(Booking)
            .where(Booking.code == taken)
            .values(status=BookingStatus.CANCELLED, cancelled_at=clock(), cancel_reason="x")
        )


# -- the staff route ----------------------------------------------------------------------------


@pytest.fixture
def api(sqlite_factory, clock):
    app = published_app(sqlite_factory, clock, admin_token=ADMIN_TOKEN)
    app.state.limiter = RateLimiter()
    with TestClient(app, raise_server_exceptions=False) as client:
        client.factory = sqlite_factory  # type: ignore[attr-defined]
        yield client


def test_staff_release_it_over_the_api_and_nobody_else_can(api, clock):
    taken = book(api.factory, clock(), STRANGER, numero_etranger=NUMERO)
    body = {"numero_etranger": "12 34 56 78 90", "owner_phone": "06 12 34 56 78"}
    url = "/api/v1/admin/numero-releases"
    # A phone is no credential: nobody, the action server's service token (which acts for
    # the phones the channels proved, the stranger's included), a wrong token — all refused.
    for headers, status, code in (
        ({}, 401, "unauthorized"),
        (SERVICE, 403, "forbidden"),
        ({"Authorization": "Bearer wrong"}, 401, "unauthorized"),
    ):
        answer = api.post(url, json={**body, "owner_phone": STRANGER}, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert booking(api.factory, taken).status is BookingStatus.BOOKED

    answer = api.post(url, json=body, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert [b["code"] for b in out["released"]] == [taken] and out["already_released"] == []
    assert STRANGER not in answer.text and NUMERO not in answer.text
    again = api.post(url, json=body, headers=ADMIN).json()
    assert again["released"] == [] and [b["code"] for b in again["already_released"]] == [taken]
    assert book(api.factory, clock(), OWNER, numero_etranger=NUMERO)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"numero_etranger": "12"}, 422, "invalid_numero_etranger"),
        ({"numero_etranger": "1" * 21}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
        ({"numero_etranger": NUMERO, "owner_phone": "nope"}, 422, "invalid_phone"),
        ({"numero_etranger": NUMERO, "extra": 1}, 422, "invalid_request"),
        ({"numero_etranger": "9876543210"}, 404, "nothing_to_release"),
        ({"numero_etranger": None}, 422, "invalid_request"),
        ({"numero_etranger": "123456789²"}, 422, "invalid_numero_etranger"),
    ],
)
def test_bad_input_is_a_clear_refusal_in_the_callers_language(api, body, status, code):
    answer = api.post(
        "/api/v1/admin/numero-releases", json=body, headers={**ADMIN, "Accept-Language": "en"}
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    if code == "nothing_to_release":
        assert answer.json()["error"]["message"].startswith("No upcoming appointment")
