"""The consent limits under real concurrency (an attacker's test, session 22): on PostgreSQL,
12 requests at once for one phone all passed the "three an hour" count, and 40 wrong codes at
once were counted as one. Threads, one connection each, on both databases."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.booking.mediators import Consent, Mediator
from bot.pan import accounts, consent
from tests.support.world import PHONE_B

SECRET = "test-key"


def _at_once(count: int, attempt) -> Counter[str]:
    barrier = threading.Barrier(count)

    def run(_: int) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=30)
        try:
            return attempt()
        except consent.ConsentRefused as refusal:
            return refusal.reason

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(run, range(count)))


@pytest.fixture
def mediator_id(any_factory, clock) -> int:
    with any_factory.begin() as session:
        return accounts.add(session, "lea", "Léa", "pref-24", "a long password", now=clock()).id


def test_requests_at_once_for_one_phone_send_three_codes(any_factory, clock, mediator_id):
    def ask() -> str:
        with any_factory.begin() as session:
            mediator = session.get(Mediator, mediator_id)
            consent.ask(session, mediator, PHONE_B, "fr", SECRET, now=clock())
        return "sent"

    outcomes = _at_once(12, ask)
    assert outcomes == Counter({"sent": 3, "too_many_requests": 9})


def test_wrong_codes_at_once_lock_after_five(any_factory, clock, mediator_id):
    with any_factory.begin() as session:
        mediator = session.get(Mediator, mediator_id)
        consent_id = consent.ask(session, mediator, PHONE_B, "fr", SECRET, now=clock()).consent.id

    def guess() -> str:
        # As the page does (bot.pan.web): the refusal is caught inside the transaction, which
        # then commits the count.
        with any_factory.begin() as session:
            row = session.get(Consent, consent_id)
            try:
                consent.confirm(session, row, "0000000", SECRET, now=clock())
            except consent.ConsentRefused as refusal:
                return refusal.reason
        return "given"

    outcomes = _at_once(20, guess)
    # Four wrong codes, the fifth locks, and every guess after it finds the request locked.
    assert outcomes == Counter({"wrong_code": 4, "consent_locked": 16}), outcomes
    with any_factory() as session:
        row = session.scalars(select(Consent).where(Consent.id == consent_id)).one()
        assert row.status == "locked" and row.wrong_codes == consent.MAX_WRONG_CODES
