"""What the catalogue holds, as frozen values (no I/O here: see loader.py)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from bot.i18n import SOURCE_LANGUAGE, normalise_language

WHERE_KINDS: tuple[str, ...] = (
    "prefecture_rdv",
    "anef",
    "natali",
    "ants",
    "walk_in",
    "email",
    "campus_desk",
)
SERVICE_KINDS: tuple[str, ...] = ("walk_in", "campus_desk", "email")


@dataclass(frozen=True)
class Localized:
    """One text per supported language (the loader guarantees all of them)."""

    texts: Mapping[str, str]

    def __call__(self, lang: str | None = None) -> str:
        return self.texts.get(normalise_language(lang)) or self.texts[SOURCE_LANGUAGE]


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from: seed file names or official domains; `demo` when invented."""

    sources: tuple[str, ...] = ()
    demo: bool = False


@dataclass(frozen=True)
class HowToGet:
    """Where and how a missing document is had, and how soon (None: longer, or it depends)."""

    text: Localized
    ready_in_days: int | None
    provenance: Provenance


@dataclass(frozen=True)
class Document:
    code: str
    label: Localized  # short SMS label, at most 40 characters
    explanation: Localized
    provenance: Provenance
    words: tuple[str, ...] = ()  # folded names people use for it, all languages together
    how_to_get: HowToGet | None = None
    from_booking: bool = False  # the convocation: produced by booking, never prepared before

    @property
    def quick(self) -> bool:
        """Can be had the same day: lacking it need not stop a booking."""
        return self.how_to_get is not None and self.how_to_get.ready_in_days == 0


@dataclass(frozen=True)
class DocumentRequirement:
    document: Document
    original: bool
    copies: int
    when: Localized | None = None  # None: always needed

    @property
    def conditional(self) -> bool:
        return self.when is not None


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the target month's last day.

    31 May - 2 months = 31 March; 30 April - 2 months = 29 February in a leap year, 28 otherwise.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Offset:
    """A span counted in calendar months (clamped to the month's end) plus days."""

    months: int = 0
    days: int = 0

    def before(self, day: date) -> date:
        return add_months(day, -self.months) - timedelta(days=self.days)

    def after(self, day: date) -> date:
        return add_months(day, self.months) + timedelta(days=self.days)


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    opens: Offset  # before expiry
    closes: Offset  # before expiry
    rights_after_expiry: Offset | None
    kept_rights: str  # key of the explanation in bot.catalogue.messages.KEPT_RIGHTS
    provenance: Provenance


@dataclass(frozen=True)
class BookingRules:
    slot_minutes: int
    horizon_days: int
    needs_numero_etranger: bool
    provenance: Provenance


@dataclass(frozen=True)
class Fee:
    """What a démarche costs (booking an appointment never does). `amount_eur` None: it varies,
    `varies` says on what."""

    amount_eur: Decimal | None
    pays: Localized  # what the money pays, and how (timbre fiscal, taxes)
    varies: Localized | None
    checked: date  # when the amount was last checked against `provenance`
    provenance: Provenance


@dataclass(frozen=True)
class WhereDetail:
    site_name: str
    url: str | None
    what_to_do: Localized
    provenance: Provenance


@dataclass(frozen=True)
class Demarche:
    code: str
    names: Localized
    summaries: Localized
    where: str
    where_detail: WhereDetail
    selects: Mapping[str, frozenset[str]]
    booking: BookingRules | None
    deadline: DeadlineRule | None
    documents: tuple[DocumentRequirement, ...]
    provenance: Provenance
    fee: Fee | None = None  # None: nothing to pay

    def name(self, lang: str | None = None) -> str:
        return self.names(lang)

    @property
    def to_prepare(self) -> tuple[DocumentRequirement, ...]:
        """The checklist before booking: the documents the booking itself gives are left out."""
        return tuple(r for r in self.documents if not r.document.from_booking)

    def summary(self, lang: str | None = None) -> str:
        return self.summaries(lang)

    @property
    def sources(self) -> tuple[str, ...]:
        return self.provenance.sources


@dataclass(frozen=True)
class Hours:
    weekday: int  # 0 = Monday, as datetime.date.weekday()
    start: time
    end: time


@dataclass(frozen=True)
class OpeningRange:
    """A plage d'ouverture: a weekly window where `counters` guichets receive one démarche."""

    demarche: str
    weekday: int
    start: time
    end: time
    counters: int
    provenance: Provenance


@dataclass(frozen=True)
class SiteService:
    """A per-site way in other than booking: walk-in hours, campus desk, urgent e-mail."""

    kind: str
    demarches: tuple[str, ...]
    topics: tuple[str, ...]
    hours: tuple[Hours, ...]
    place: Localized
    email: str | None
    provenance: Provenance


@dataclass(frozen=True)
class Pan:
    """The Point d'Accueil Numérique named in the help message."""

    name: str
    place: Localized
    hours: tuple[Hours, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Departement:
    code: str  # "38", "2A", "974"
    name: str
    prefecture: str  # chef-lieu city
    # Other ways people name it or its big towns, in other scripts ("بوردو" for Bordeaux).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    departement: str
    departement_name: str
    city: str
    postal_codes: list[str]
    address: str
    timezone: str
    demarches: list[str]  # codes bookable at this site
    website: str
    booking_mode: str  # "direct" (applicant picks a slot) or "request" (préfecture assigns)
    opening_ranges: tuple[OpeningRange, ...]
    services: tuple[SiteService, ...]
    pan: Pan
    aliases: tuple[str, ...] = ()  # other ways people name the place (e.g. in Arabic script)

    def opening_ranges_for(self, demarche: str) -> tuple[OpeningRange, ...]:
        return tuple(r for r in self.opening_ranges if r.demarche == demarche)

    def services_for(self, demarche: str, topic: str | None = None) -> tuple[SiteService, ...]:
        return tuple(
            s for s in self.services if demarche in s.demarches or (topic and topic in s.topics)
        )


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    ask: str  # the dimension it narrows
    options: tuple[tuple[str, str], ...]  # (value or group name, label key)


@dataclass(frozen=True)
class RoutingSpec:
    dimensions: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, Mapping[str, frozenset[str]]]
    implies: tuple[tuple[tuple[str, ...], Mapping[str, str]], ...]
    questions: tuple[QuestionSpec, ...]

    def expand(self, dimension: str, value: str) -> frozenset[str] | None:
        """The values a fact stands for (a group expands), None when it means nothing here."""
        if value in self.dimensions.get(dimension, ()):
            return frozenset({value})
        return self.groups.get(dimension, {}).get(value)


@dataclass(frozen=True)
class SourceRegistry:
    seeds: Mapping[str, str]
    official_sites: Mapping[str, str]

    def knows(self, source: str) -> bool:
        if source in self.seeds:
            return True
        host = source.split("://", 1)[-1].split("/", 1)[0].lower()
        return any(host == d or host.endswith("." + d) for d in self.official_sites)


@dataclass(frozen=True)
class LegalFact:
    """A law or a decision the sentences cite (the référé's article, the Conseil d'État)."""

    code: str
    reference: str  # as cited, e.g. "article L521-3 du code de justice administrative"
    provenance: Provenance


@dataclass(frozen=True)
class Catalogue:
    demarches: dict[str, Demarche]
    sites: dict[str, Site]
    documents: dict[str, Document]
    deadlines: dict[str, DeadlineRule]
    departements: dict[str, Departement]
    routing: RoutingSpec
    sources: SourceRegistry
    legal: Mapping[str, LegalFact]
