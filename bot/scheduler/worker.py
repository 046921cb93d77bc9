"""The scheduler's loop (`guichet worker`): expire offers, plan, recover, send; then sleep.

It runs as its own process, next to the gateway: a slow provider never delays a webhook reply,
and a crash restarts the loop alone. One worker is the expected deployment; two would not send a
message twice (claims are conditional updates), but the startup recovery assumes that no other
worker is mid-send, so give a second worker a non-zero `stale_after`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.booking import offers
from bot.booking.config import EngineConfig
from bot.db import utcnow
from bot.scheduler.dispatch import Dispatcher, DispatchReport
from bot.scheduler.notifier import Notifier
from bot.scheduler.planning import PlanReport, plan_all

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)


@dataclass
class TickReport:
    expired_offers: int = 0
    planned: PlanReport = field(default_factory=PlanReport)
    recovered: DispatchReport = field(default_factory=DispatchReport)
    dispatched: DispatchReport = field(default_factory=DispatchReport)

    def summary(self) -> str:
        d, r = self.dispatched, self.recovered
        return (
            f"expired {self.expired_offers} offers; planned {self.planned.reminders} reminders, "
            f"{self.planned.offers} offers, {self.planned.offer_reminders} offer reminders, "
            f"{self.planned.deadline_alerts} deadline alerts, "
            f"{self.planned.release_notices} release notices; sent {d.sent}, deferred {d.deferred} "
            f"(quiet hours), skipped {d.skipped}, suppressed {d.suppressed}, failed {d.failed}; "
            f"recovered {r.recovered_sent} sent / {r.recovered_pending} to resend / "
            f"{r.uncertain} uncertain"
        )


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        config: EngineConfig,
        notifier: Notifier,
        *,
        reminder_ahead: timedelta = timedelta(hours=48),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.reminder_ahead = reminder_ahead
        self.clock = clock
        self.dispatcher = Dispatcher(session_factory, notifier, clock)
        self._started = False

    def tick(self) -> TickReport:
        report = TickReport()
        if not self._started:
            # Whatever was 'sending' when the previous process died is settled before anything new.
            report.recovered = self.dispatcher.recover(stale_after=timedelta(0))
            self._started = True
        else:
            report.recovered = self.dispatcher.recover(stale_after=STALE_AFTER)
        now = self.clock()
        with self.session_factory.begin() as session:
            report.expired_offers = len(offers.expire_offers(session, self.config, now=now))
        with self.session_factory.begin() as session:
            report.planned = plan_all(session, now=now, reminder_ahead=self.reminder_ahead)
        report.dispatched = self.dispatcher.dispatch_due()
        return report

    def run_forever(self, interval: float = 30.0, progress: Callable[[str], None] = print) -> None:
        while True:
            try:
                report = self.tick()
                if report.planned.total or report.dispatched.sent or report.expired_offers:
                    progress(f"[{self.clock():%Y-%m-%d %H:%M:%S}Z] {report.summary()}")
            except Exception:  # one bad row must not stop everyone else's messages
                log.exception("scheduler tick failed")
            time.sleep(interval)
