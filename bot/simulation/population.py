"""Who wants places: humans with a date their rights run out, and bots with many identities.
Pure: drawn from a seeded random generator, so one seed gives one population."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Params:
    seed: int = 1
    weeks: int = 6
    humans_per_week: int = 60  # more than the 45 places a week: places are scarce
    initial_backlog: int = 80  # people already waiting when the simulation starts
    rights_days: tuple[int, int] = (10, 60)  # rights end this many days after arrival
    human_checks_per_day: float = 3.0
    human_no_show: float = 0.08
    human_cancel: float = 0.10
    human_answers_offer: float = 0.85
    human_declines_offer: float = 0.05
    human_answer_hours: float = 2.0  # mean delay of an answer, counted from waking up
    bots: int = 3
    identities_per_bot: int = 12  # phone numbers / numéros étranger each bot controls
    bot_poll_seconds: float = 5.0
    bot_unsold: float = 0.5  # resold places nobody bought: the appointment is not honoured
    # False: the rights-end date is checked against the title the numéro étranger belongs to,
    # so a bot identity ranks like the person it was borrowed from. True: nobody checks it and
    # every bot claims its rights end tomorrow.
    bots_lie: bool = False
    # False: a reseller's identities are its clients' titles, and clients come like everyone
    # else (as many at the start, in proportion, as the backlog; the rest spread over the weeks).
    # True: every identity is there on day 0, a stock of titles waiting for the first release.
    bots_at_start: bool = False
    guichets: int = 1
    # Seed 000 says two months; three weeks keeps a default run short with the same dynamics.
    horizon_days: int = 21
    offer_hold_hours: int = 12
    # The engine's rule against the resale cycle (EngineConfig.rebook_cooldown); 0 turns it off.
    rebook_cooldown_days: int = 90


@dataclass
class Agent:
    id: int
    kind: str  # "human" | "bot"
    phone: str
    arrival: datetime
    rights_end: datetime
    bot: int | None = None
    # What happened, filled in as the simulation runs.
    booking_code: str | None = None
    booked_at: datetime | None = None
    appointment: datetime | None = None
    served_in_time: bool = False
    # A bot identity the engine refused: the bot tries it again at most once a day.
    retry_after: datetime | None = None
    history: list[str] = field(default_factory=list)


def human_phone(index: int) -> str:
    return f"+3361{index:07d}"


def bot_phone(bot: int, identity: int) -> str:
    return f"+3375{bot:02d}{identity:05d}"


def make_population(params: Params, start: datetime, rng: random.Random) -> list[Agent]:
    """Humans (a backlog at the start, then arrivals spread over the weeks) and bot identities."""
    agents: list[Agent] = []
    end = start + timedelta(weeks=params.weeks)
    arrivals = [start] * params.initial_backlog
    total = params.humans_per_week * params.weeks
    arrivals += sorted(start + (end - start) * rng.random() for _ in range(total))
    for index, arrival in enumerate(arrivals):
        rights = timedelta(days=rng.uniform(*params.rights_days))
        agents.append(Agent(len(agents), "human", human_phone(index), arrival, arrival + rights))
    backlog_share = params.initial_backlog / len(arrivals) if arrivals else 1.0
    for bot in range(params.bots):
        for identity in range(params.identities_per_bot):
            rights = timedelta(days=rng.uniform(*params.rights_days))
            arrival = start
            if not params.bots_at_start and rng.random() >= backlog_share:
                arrival = start + (end - start) * rng.random()
            agents.append(
                Agent(
                    len(agents), "bot", bot_phone(bot, identity), arrival, arrival + rights, bot=bot
                )
            )
    return agents
