"""One policy, simulated: a discrete-event loop drives the real booking engine (slots,
bookings, waitlist, offers, publishing) on a private SQLite database with a simulated clock. The simulator only
decides who acts when; whether a search finds a place, a booking is refused, an offer goes to
whom, expires or is accepted — the engine decides, with its own rules and queries.

Bots poll every few seconds. Between two releases (publication, cancellation, an offer given
back) the free places cannot grow, so a bot's polls in between would find nothing: the loop
schedules each bot's next poll at a uniform delay after every release (and when one of its
identities arrives) instead of simulating the empty polls. Humans' checks are simulated one by
one.
"""

from __future__ import annotations

import heapq
import itertools
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.booking import bookings, offers, publishing, slots, waitlist
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    Booking,
    BookingStatus,
    OfferStatus,
    Slot,
    WaitlistEntry,
    WaitlistOffer,
)
from bot.db import make_engine, make_session_factory
from bot.scheduler.quiet import end_of_quiet, is_quiet
from bot.simulation.population import Agent, Params, make_population
from bot.simulation.results import PolicyResult
from bot.simulation.world import DEMARCHE, SIM_SECRET, SITE, START, build_world

POLICIES = ("fcfs", "waitlist")
# Refusals that bar one identity, not the search: a bot moves on to its next identity.
IDENTITY_REFUSALS = frozenset({"recently_served", "already_booked", "already_waiting"})


@dataclass(frozen=True)
class Held:
    """What the simulator keeps of a booking once its transaction is over."""

    code: str
    starts_at: datetime


def held(booking: Booking) -> Held:
    return Held(booking.code, booking.slot.starts_at)


class Simulation:
    def __init__(self, params: Params, policy: str) -> None:
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}")
        self.params = params
        self.policy = policy
        # One population for both policies; behaviour drawn from a stream of its own.
        self.agents = make_population(params, START, random.Random(params.seed))
        self.rng = random.Random(params.seed * 7919 + POLICIES.index(policy))
        self.by_phone = {a.phone: a for a in self.agents}
        self.bots = sorted({a.bot for a in self.agents if a.bot is not None})
        self.end = START + timedelta(weeks=params.weeks)
        self.config = EngineConfig(
            SIM_SECRET,
            timedelta(hours=params.offer_hold_hours),
            rebook_cooldown=timedelta(days=params.rebook_cooldown_days),
        )
        self.engine = make_engine("sqlite://")
        build_world(self.engine, params)
        self.factory = make_session_factory(self.engine)
        self.queue: list[tuple[datetime, int, str, Any]] = []
        self.seq = itertools.count()
        self.seen_offer = 0
        self.nothing_free = False  # cached "no free place" until the next write
        self.human_places = self.bot_places = self.no_shows = 0
        self.last_refusal: str | None = None
        self.bot_refusals = 0
        self.bots_served: set[int] = set()

    # -- the event loop -------------------------------------------------------------------

    def at(self, when: datetime, kind: str, payload: Any = None) -> None:
        heapq.heappush(self.queue, (when, next(self.seq), kind, payload))

    def run(self) -> PolicyResult:
        monday = START
        while monday < self.end:
            self.at(monday, "publish")
            monday += timedelta(weeks=1)
        for agent in self.agents:
            self.at(agent.arrival, "arrive", agent)
        handlers: dict[str, Callable[[datetime, Any], None]] = {
            "publish": self.on_publish,
            "arrive": self.on_arrive,
            "check": self.on_check,
            "bot_poll": self.on_bot_poll,
            "answer": self.on_answer,
            "expire": self.on_expire,
            "attend": self.on_attend,
            "cancel": self.on_cancel,
        }
        while self.queue:
            when, _, kind, payload = heapq.heappop(self.queue)
            if when >= self.end:
                break
            handlers[kind](when, payload)
        return self.result()

    def write(
        self, now: datetime, action: Callable[[Session], Any], *, may_offer: bool = True
    ) -> Any:
        """One engine call in one transaction; a refusal rolls it back and returns None (its reason
        code stays in `last_refusal`)."""
        self.nothing_free = False
        self.last_refusal = None
        try:
            with self.factory.begin() as session:
                outcome = action(session)
        except BookingError as refusal:
            self.last_refusal = refusal.code
            return None
        if self.policy == "waitlist" and may_offer:
            self.notice_offers(now)
        return outcome

    # -- releases and searches ------------------------------------------------------------

    def released(self, now: datetime) -> None:
        for bot in self.bots:
            self.at(
                now + timedelta(seconds=self.rng.uniform(0, self.params.bot_poll_seconds)),
                "bot_poll",
                bot,
            )

    def on_publish(self, now: datetime, _: Any) -> None:
        # Steady state, as in seed 004 (publication → booking in 12–15 days): each Monday opens
        # the week that enters the horizon. The nearer weeks were opened, and taken, before the
        # simulation starts; opening the whole horizon on day 0 would hand three weeks of places
        # to whoever is present that morning.
        last = now.date() + timedelta(days=self.params.horizon_days - 1)
        self.write(
            now,
            lambda s: publishing.publish(
                s, self.config, now=now, date_from=last - timedelta(days=6), date_to=last
            ),
        )
        self.released(now)

    def free_places(self, now: datetime) -> bool:
        if self.nothing_free:
            return False
        with self.factory() as session:
            free = session.scalar(
                select(func.count(Slot.id)).where(
                    Slot.starts_at > now, Slot.places_taken < Slot.capacity
                )
            )
        self.nothing_free = not free
        return bool(free)

    def try_book(self, agent: Agent, now: datetime) -> bool:
        """Search, then book the first place found: the engine says whether it worked."""
        if agent.booking_code is not None or not self.free_places(now):
            return False

        def search_and_book(session: Session) -> Held | None:
            found = slots.search(session, slots.SearchRequest(DEMARCHE, SITE, limit=1), now=now)
            if not found.slots:
                return None
            return held(
                bookings.book(
                    session,
                    self.config,
                    bookings.BookRequest(found.slots[0].id, agent.phone),
                    now=now,
                )
            )

        booking = self.write(now, search_and_book, may_offer=False)
        if booking is None:
            self.count_refusal(agent)
            return False
        self.booked(agent, booking, now)
        if self.policy == "waitlist":
            # Booked by searching: the person leaves the waitlist, their entry would only block.
            for entry in self.read(lambda s: waitlist.entries_of(s, agent.phone)):
                self.write(
                    now,
                    lambda s, e=entry: waitlist.leave(s, self.config, e.id, agent.phone, now=now),
                )
        return True

    def count_refusal(self, agent: Agent) -> None:
        if agent.kind == "bot" and self.last_refusal in IDENTITY_REFUSALS:
            self.bot_refusals += 1

    def read(self, action: Callable[[Session], Any]) -> Any:
        with self.factory() as session:
            return action(session)

    def booked(self, agent: Agent, booking: Held, now: datetime) -> None:
        agent.booking_code = booking.code
        agent.booked_at = now
        agent.appointment = booking.starts_at
        self.at(booking.starts_at, "attend", (agent, booking.code))
        if agent.kind == "human" and self.rng.random() < self.params.human_cancel:
            moment = now + (booking.starts_at - now) * self.rng.random()
            self.at(moment, "cancel", (agent, booking.code))

    # -- people ---------------------------------------------------------------------------

    def waking(self, moment: datetime) -> datetime:
        if is_quiet(moment):
            return end_of_quiet(moment) + timedelta(hours=self.rng.uniform(0, 2))
        return moment

    def join(self, agent: Agent, now: datetime) -> None:
        if agent.kind == "bot":
            # Each resale borrows the title of a new client: their rights end where theirs do.
            agent.rights_end = now + timedelta(days=self.rng.uniform(*self.params.rights_days))
        rights_end = agent.rights_end.date()
        if agent.kind == "bot" and self.params.bots_lie:
            rights_end = (now + timedelta(days=1)).date()
        request = waitlist.WaitlistRequest(agent.phone, DEMARCHE, SITE, rights_end=rights_end)
        if self.write(now, lambda s: waitlist.join(s, self.config, request, now=now)) is None:
            self.count_refusal(agent)

    def on_arrive(self, now: datetime, agent: Agent) -> None:
        if self.policy == "waitlist":
            self.join(agent, now)
        if agent.kind == "human":
            self.at(now, "check", agent)
        else:
            # A new client's title: the bot tries it on its next poll, seconds away.
            self.at(
                now + timedelta(seconds=self.rng.uniform(0, self.params.bot_poll_seconds)),
                "bot_poll",
                agent.bot,
            )

    def on_check(self, now: datetime, agent: Agent) -> None:
        if agent.booking_code is not None:
            return
        if not self.try_book(agent, now):
            gap = timedelta(days=1) / self.params.human_checks_per_day
            self.at(self.waking(now + gap * self.rng.uniform(0.5, 1.5)), "check", agent)

    def on_bot_poll(self, now: datetime, bot: int) -> None:
        for agent in self.agents:
            if agent.bot != bot or agent.booking_code is not None or agent.arrival > now:
                continue
            if agent.retry_after is not None and agent.retry_after > now:
                continue
            if not self.try_book(agent, now):
                if self.last_refusal in IDENTITY_REFUSALS:
                    # That identity is barred: the bot moves on to its next one.
                    agent.retry_after = now + timedelta(days=1)
                    continue
                return

    # -- the waitlist's offers ------------------------------------------------------------

    def notice_offers(self, now: datetime) -> None:
        """Offers the engine just made: each holder will answer (or not) in their own time."""
        offers = self.read(
            lambda s: [
                (o.id, o.entry.applicant.phone, o.expires_at)
                for o in s.scalars(
                    select(WaitlistOffer)
                    .where(WaitlistOffer.id > self.seen_offer)
                    .order_by(WaitlistOffer.id)
                )
            ]
        )
        for offer_id, phone, expires_at in offers:
            self.seen_offer = max(self.seen_offer, offer_id)
            agent = self.by_phone[phone]
            if agent.kind == "bot":
                answer_at: datetime | None = now + timedelta(
                    seconds=self.rng.uniform(0, self.params.bot_poll_seconds)
                )
                accept = True
            elif self.rng.random() < self.params.human_answers_offer:
                accept = self.rng.random() >= self.params.human_declines_offer
                delay = timedelta(hours=self.rng.expovariate(1 / self.params.human_answer_hours))
                answer_at = self.waking(now) + delay
            else:
                answer_at = None  # never answers: the offer expires and goes to the next person
            if answer_at is not None:
                self.at(answer_at, "answer", (agent, offer_id, accept))
            if answer_at is None or answer_at >= expires_at:
                # The engine's expiry pass runs when an unanswered offer runs out (running it
                # when nothing can have expired would change nothing, only cost time).
                self.at(expires_at, "expire")

    def on_answer(self, now: datetime, payload: tuple[Agent, int, bool]) -> None:
        agent, offer_id, accept = payload
        if accept and agent.booking_code is None:
            booking = self.write(
                now,
                lambda s: held(offers.accept(s, self.config, offer_id, agent.phone, now=now)),
                may_offer=False,
            )
            if booking is not None:
                self.booked(agent, booking, now)
                return
        self.write(now, lambda s: offers.decline(s, self.config, offer_id, agent.phone, now=now))
        self.released(now)

    def on_expire(self, now: datetime, _: Any) -> None:
        if self.write(now, lambda s: offers.expire_offers(s, self.config, now=now)):
            self.released(now)

    # -- after booking --------------------------------------------------------------------

    def on_cancel(self, now: datetime, payload: tuple[Agent, str]) -> None:
        agent, code = payload
        if agent.booking_code != code:
            return
        if (
            self.write(
                now, lambda s: bookings.cancel(s, self.config, code, phone=agent.phone, now=now)
            )
            is None
        ):
            return
        agent.booking_code = agent.appointment = agent.booked_at = None
        self.released(now)
        # They still need the démarche: back to searching (and to the waitlist).
        if self.policy == "waitlist":
            self.join(agent, now)
        self.at(self.waking(now + timedelta(hours=self.rng.uniform(1, 24))), "check", agent)

    def on_attend(self, now: datetime, payload: tuple[Agent, str]) -> None:
        agent, code = payload
        if agent.booking_code != code:
            return  # cancelled meanwhile
        if agent.kind == "human":
            # Whether someone comes is their behaviour, not a rule: kept here, not in the engine.
            self.no_shows += self.rng.random() < self.params.human_no_show
            self.human_places += 1
            agent.served_in_time = (
                agent.appointment is not None and agent.appointment <= agent.rights_end
            )
            return
        self.bots_served.add(agent.id)
        honoured = self.rng.random() >= self.params.bot_unsold
        self.no_shows += not honoured
        self.bot_places += 1
        # Recorded in the engine: the identity is free for another resale unless a rule says
        # otherwise (the cooldown after an appointment does).
        later = now + timedelta(minutes=1)
        self.write(
            later, lambda s: bookings.mark_attendance(s, code, honoured, now=later), may_offer=False
        )
        agent.booking_code = agent.appointment = agent.booked_at = None
        if self.policy == "waitlist":
            self.join(agent, now)

    # -- figures --------------------------------------------------------------------------

    def result(self) -> PolicyResult:
        with self.factory() as session:
            rows = session.execute(
                select(Applicant.phone, Booking.created_at)
                .join(Applicant, Booking.applicant_id == Applicant.id)
                .join(Slot, Booking.slot_id == Slot.id)
                .where(Booking.status != BookingStatus.CANCELLED, Slot.starts_at < self.end)
            ).all()
            unused = (
                session.scalar(
                    select(func.coalesce(func.sum(Slot.capacity - Slot.places_taken), 0)).where(
                        Slot.starts_at < self.end
                    )
                )
                or 0
            )
            entries = (
                session.execute(
                    select(Applicant.phone).join(
                        WaitlistEntry, WaitlistEntry.applicant_id == Applicant.id
                    )
                )
                .scalars()
                .all()
            )
            held_by_offers = (
                session.scalar(
                    select(func.count(WaitlistOffer.id))
                    .join(Slot, WaitlistOffer.slot_id == Slot.id)
                    .where(WaitlistOffer.status == OfferStatus.PENDING, Slot.starts_at < self.end)
                )
                or 0
            )
        humans = [a for a in self.agents if a.kind == "human" and a.arrival < self.end]
        due = [a for a in humans if a.rights_end <= self.end]
        first_booking: dict[str, datetime] = {}
        for phone, created in rows:
            if self.by_phone[phone].kind == "human":
                first_booking[phone] = min(created, first_booking.get(phone, created))
        waits = [
            (first_booking[a.phone] - a.arrival).total_seconds() / 86400
            for a in humans
            if a.phone in first_booking
        ]
        bot_identities = sum(1 for a in self.agents if a.kind == "bot")
        at_start = [a for a in humans if a.arrival == START]
        return PolicyResult(
            policy=self.policy,
            places_taken=self.human_places + self.bot_places,
            bot_places=self.bot_places,
            bot_population_share=bot_identities / (bot_identities + len(humans)),
            humans_due=len(due),
            humans_served_in_time=sum(1 for a in due if a.served_in_time),
            median_wait_days=round(statistics.median(waits), 2) if waits else None,
            no_shows=self.no_shows,
            places_unused=int(unused) + int(held_by_offers),
            bot_requests=sum(1 for phone in entries if self.by_phone[phone].kind == "bot"),
            requests=len(entries),
            bot_identities=bot_identities,
            bot_identities_served=len(self.bots_served),
            bot_refusals=self.bot_refusals,
            humans_at_start=len(at_start),
            humans_at_start_served=sum(1 for a in at_start if a.phone in first_booking),
            humans=len(humans),
            humans_served=len(first_booking),
        )


def simulate(params: Params, policy: str) -> PolicyResult:
    sim = Simulation(params, policy)
    try:
        return sim.run()
    finally:
        sim.engine.dispose()
