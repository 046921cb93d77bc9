"""From what a person says they need to one démarche and its next step, or to the one question
that separates the remaining candidates. Pure: data from the catalogue, no I/O.

Facts use the Rasa entity names (`topic`, `procedure_kind`, `title_type`) and values, plus the
group names a question option adds (see data/catalogue/routing.yml). A fact narrows the set of
possible values of its dimension; a démarche stays a candidate while each dimension it selects
on still overlaps what is possible.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.catalogue import Catalogue, Demarche, Hours, Localized, Site, get_catalogue
from bot.catalogue.formatting import format_hours
from bot.catalogue.messages import NEXT_STEPS, NOT_COVERED, OPTION_LABELS, QUESTIONS
from bot.catalogue.models import QuestionSpec, RoutingSpec
from bot.i18n import translate

# Four numbered lines still read at a glance on a basic phone; the renewal of « another title »
# needs them (student, talent, récépissé, vie privée et familiale).
MAX_OPTIONS = 4

Possible = dict[str, frozenset[str]]


class RouteStatus(str, Enum):
    RESOLVED = "resolved"
    QUESTION = "question"
    NOT_COVERED = "not_covered"


@dataclass(frozen=True)
class Option:
    value: str  # a dimension value or group name
    label: str  # French msgid (OPTION_LABELS)
    facts: Mapping[str, str]  # what choosing it adds to the facts
    candidates: tuple[str, ...]  # démarches still possible after it

    @property
    def payload(self) -> str:
        """A Rasa button payload that sets the fact through the `inform` intent."""
        return "/inform" + json.dumps(dict(self.facts), ensure_ascii=False, separators=(",", ":"))

    def render(self, lang: str | None) -> str:
        return translate(self.label, lang)


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str  # French msgid (QUESTIONS)
    options: tuple[Option, ...]

    def render(self, lang: str | None) -> str:
        return translate(self.text, lang)


@dataclass(frozen=True)
class NextStep:
    """One thing to do now; `params` may hold Localized texts and weekly hours, rendered per language."""

    kind: str  # book | book_request | book_elsewhere | book_ask_site | online | walk_in | ...
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return NEXT_STEPS[self.kind]

    def render(self, lang: str | None) -> str:
        return translate(self.text, lang, **render_params(self.params, lang))


@dataclass(frozen=True)
class RouteResult:
    status: RouteStatus
    candidates: tuple[str, ...]
    demarche: Demarche | None = None
    next_steps: tuple[NextStep, ...] = ()
    question: Question | None = None

    @property
    def resolved(self) -> bool:
        return self.status is RouteStatus.RESOLVED

    def render(self, lang: str | None) -> str:
        if self.question is not None:
            return self.question.render(lang)
        if self.demarche is None:
            return translate(NOT_COVERED, lang)
        lines = [step.render(lang) for step in self.next_steps]
        fee = fee_step(self.demarche)
        if fee is not None:
            # Before a booking step, whose question ("which département?") ends the message.
            lines.insert(0 if self.demarche.where == "prefecture_rdv" else 1, fee.render(lang))
        return "\n".join(lines)


def render_params(params: Mapping[str, object], lang: str | None) -> dict[str, object]:
    rendered: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, Localized):
            rendered[key] = value(lang)
        elif isinstance(value, tuple) and all(isinstance(h, Hours) for h in value):
            rendered[key] = format_hours(value, lang)
        else:
            rendered[key] = value
    return rendered


def possible_values(facts: Mapping[str, object], spec: RoutingSpec) -> Possible:
    """Facts → the set of values still possible per dimension (unknown values are ignored)."""
    possible: Possible = {}
    for dimension in spec.dimensions:
        raw = facts.get(dimension)
        if not isinstance(raw, str) or not raw.strip():
            continue
        expanded = spec.expand(dimension, raw.strip().lower())
        if expanded:
            possible[dimension] = expanded
    for when, settings in spec.implies:
        if any(dimension in possible for dimension in when):
            for dimension, value in settings.items():
                if dimension not in possible:
                    possible[dimension] = spec.expand(dimension, value) or frozenset()
    return possible


def candidates(possible: Possible, catalogue: Catalogue) -> tuple[str, ...]:
    return tuple(
        code
        for code, demarche in catalogue.demarches.items()
        if all(
            values & possible[dim] for dim, values in demarche.selects.items() if dim in possible
        )
    )


def route(
    facts: Mapping[str, object],
    site: Site | str | None = None,
    catalogue: Catalogue | None = None,
) -> RouteResult:
    """The démarche the facts lead to and what to do next, or the question to ask first."""
    catalogue = catalogue or get_catalogue()
    if isinstance(site, str):
        site = catalogue.sites.get(site)
    possible = possible_values(facts, catalogue.routing)
    remaining = candidates(possible, catalogue)
    if len(remaining) == 1:
        demarche = catalogue.demarches[remaining[0]]
        topic = facts.get("topic") if isinstance(facts.get("topic"), str) else None
        return RouteResult(
            status=RouteStatus.RESOLVED,
            candidates=remaining,
            demarche=demarche,
            next_steps=next_steps(demarche, site, topic),
        )
    question = _best_question(possible, remaining, catalogue) if remaining else None
    if question is None:
        return RouteResult(status=RouteStatus.NOT_COVERED, candidates=remaining)
    return RouteResult(status=RouteStatus.QUESTION, candidates=remaining, question=question)


def _best_question(
    possible: Possible, remaining: tuple[str, ...], catalogue: Catalogue
) -> Question | None:
    """The first question (routing.yml order) whose answers split the candidates.

    An answer that would leave every candidate in place is not offered (it would cost the
    person a message for nothing); a question is only asked when the answers it still offers
    cover every candidate and lead to at least two different places.
    """
    for spec in catalogue.routing.questions:
        options = tuple(
            o for o in _options(spec, possible, catalogue) if set(o.candidates) != set(remaining)
        )
        covered = {code for option in options for code in option.candidates}
        if len({option.candidates for option in options}) >= 2 and covered == set(remaining):
            return Question(
                id=spec.id, dimension=spec.ask, text=QUESTIONS[spec.id], options=options
            )
    return None


def _options(spec: QuestionSpec, possible: Possible, catalogue: Catalogue) -> tuple[Option, ...]:
    routing = catalogue.routing
    current = possible.get(spec.ask, frozenset(routing.dimensions[spec.ask]))
    options = []
    for value, label in spec.options:
        narrowed = current & (routing.expand(spec.ask, value) or frozenset())
        if not narrowed:
            continue
        after = candidates({**possible, spec.ask: narrowed}, catalogue)
        if after:
            options.append(Option(value, OPTION_LABELS[label], {spec.ask: value}, after))
    return tuple(options)


def fee_step(demarche: Demarche) -> NextStep | None:
    """What the démarche costs (only booking is free), from data/catalogue/demarches.yml."""
    fee = demarche.fee
    if fee is None:
        return None
    if fee.amount_eur is not None:
        return NextStep("fee", {"amount": fee.amount_eur, "pays": fee.pays})
    return NextStep("fee_varies", {"pays": fee.pays, "varies": fee.varies})


def next_steps(
    demarche: Demarche, site: Site | None, topic: str | None = None
) -> tuple[NextStep, ...]:
    """What to do for `demarche`, with the site's own arrangements when the site is known."""
    steps: list[NextStep] = []
    if demarche.where == "prefecture_rdv":
        if site is None:
            steps.append(NextStep("book_ask_site"))
        elif demarche.code not in site.demarches:
            steps.append(NextStep("book_elsewhere", {"site": site.name, "website": site.website}))
        elif site.booking_mode == "request":
            steps.append(NextStep("book_request", {"site": site.name}))
        else:
            steps.append(NextStep("book", {"site": site.name}))
    elif demarche.where in ("anef", "natali", "ants"):
        detail = demarche.where_detail
        steps.append(NextStep("online", {"service": detail.site_name, "url": detail.url or ""}))
    elif demarche.where == "walk_in":
        walk_in = (
            [s for s in site.services_for(demarche.code) if s.kind == "walk_in"] if site else []
        )
        if walk_in:
            steps.extend(NextStep("walk_in", {"place": s.place, "hours": s.hours}) for s in walk_in)
        else:
            steps.append(NextStep("walk_in_generic"))
    if site is not None:
        for service in site.services_for(demarche.code, topic):
            if service.kind == "campus_desk":
                steps.append(
                    NextStep("campus_desk", {"place": service.place, "hours": service.hours})
                )
            elif service.kind == "email":
                steps.append(
                    NextStep("email", {"place": service.place, "email": service.email or ""})
                )
        if demarche.where in ("anef", "natali", "ants"):
            pan = site.pan
            steps.append(NextStep("pan", {"pan": pan.name, "place": pan.place, "hours": pan.hours}))
    return tuple(steps)
