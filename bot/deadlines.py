"""When a renewal may be filed, whether the person is early, on time, late or expired, and until
when they keep their rights (the waitlist priority). Pure: rules come from deadlines.yml.

The window is counted back from the title's expiry date (its last valid day): it opens
`opens` before expiry and closes `closes` before expiry, both days included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from bot.catalogue import Catalogue, add_months, get_catalogue
from bot.catalogue.formatting import format_day
from bot.catalogue.messages import DEADLINE_STATUS, KEPT_RIGHTS
from bot.i18n import translate

__all__ = [
    "CLOSING_NOTICE",
    "DeadlineAssessment",
    "DeadlineStatus",
    "NoDeadline",
    "add_months",
    "assess",
]

# The "about to close" alert goes out this long before the window closes: two weeks leave time
# to get the documents together and an appointment (27 days on average, seed 004, comes after).
CLOSING_NOTICE = timedelta(days=14)


class DeadlineStatus(str, Enum):
    EARLY = "early"  # the window has not opened yet
    ON_TIME = "on_time"  # inside the window
    LATE = "late"  # the window has closed but the title is still valid
    EXPIRED = "expired"  # the title's expiry date has passed


class NoDeadline(ValueError):
    """The démarche has no filing window (first requests, walk-in, naturalisation, …)."""


@dataclass(frozen=True)
class DeadlineAssessment:
    demarche: str
    expiry: date
    today: date
    window_opens: date
    window_closes: date
    status: DeadlineStatus
    rights_end: date  # last day rights are kept; the waitlist ranks by it
    kept_rights: str  # key of KEPT_RIGHTS
    sources: tuple[str, ...]

    @property
    def closing_alert_on(self) -> date:
        return self.window_closes - CLOSING_NOTICE

    @property
    def rights_kept(self) -> bool:
        return self.today <= self.rights_end

    @property
    def days_until_rights_end(self) -> int:
        return (self.rights_end - self.today).days

    def render(self, lang: str | None) -> str:
        """Two short sentences: where the person stands, and what rights they keep."""
        return " ".join(self.sentences(lang))

    def sentences(self, lang: str | None) -> tuple[str, str]:
        """Where the person stands; what rights they keep."""
        dates = {
            "opens": format_day(self.window_opens, lang),
            "closes": format_day(self.window_closes, lang),
            "expiry": format_day(self.expiry, lang),
            "rights_end": format_day(self.rights_end, lang),
        }
        status = translate(DEADLINE_STATUS[self.status.value], lang, **dates)
        rights = translate(KEPT_RIGHTS[self.kept_rights], lang, **dates)
        return status, rights


def assess(
    expiry: date,
    demarche_code: str,
    today: date,
    catalogue: Catalogue | None = None,
) -> DeadlineAssessment:
    catalogue = catalogue or get_catalogue()
    demarche = catalogue.demarches.get(demarche_code)
    if demarche is None:
        raise KeyError(f"unknown démarche {demarche_code!r}")
    rule = demarche.deadline
    if rule is None:
        raise NoDeadline(f"{demarche_code} has no filing window")
    opens = rule.opens.before(expiry)
    closes = rule.closes.before(expiry)
    if today < opens:
        status = DeadlineStatus.EARLY
    elif today <= closes:
        status = DeadlineStatus.ON_TIME
    elif today <= expiry:
        status = DeadlineStatus.LATE
    else:
        status = DeadlineStatus.EXPIRED
    rights_end = rule.rights_after_expiry.after(expiry) if rule.rights_after_expiry else expiry
    return DeadlineAssessment(
        demarche=demarche_code,
        expiry=expiry,
        today=today,
        window_opens=opens,
        window_closes=closes,
        status=status,
        rights_end=rights_end,
        kept_rights=rule.kept_rights,
        sources=rule.provenance.sources,
    )
