"""How well a reader of routing facts gets people to the right door, measured on an openings
file (tests/understanding/openings/ held out, or tests/understanding/dev/): see
scripts/eval_facts.py. Pure: the catalogue and bot.routing, no Rasa."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.catalogue import get_catalogue
from bot.catalogue.places import resolve_departements
from bot.routing import RouteStatus, candidates, possible_values, route
from bot.understanding.message import Understanding, understand_message

# The day the corpus is read on: a message's "15 mars" without a year is the next one.
MEASURED_AT = datetime(2026, 1, 15, 10, 0)

FactsReader = Callable[[str, str | None], Mapping[str, str]]

_WANTS_OF_INTENT = {
    "cancel_appointment": "cancel",
    "reschedule_appointment": "reschedule",
    "my_appointment": "check",
}


@dataclass
class Tally:
    routing: int = 0  # openings that expect a démarche or facts
    first: int = 0  # right door (or the right question) at the first reply
    within_one: int = 0  # … or after the one question asked
    wrong_door: int = 0  # resolved to another démarche: worse than a question
    managing: int = 0  # openings about an existing appointment
    managing_read: int = 0
    other_intents: int = 0
    false_doors: int = 0  # a greeting or a question routed to a démarche
    # Why the door was not reached within one question, by kind (counts, no text: the held-out
    # misses are reported, never read to pick cues).
    miss_kinds: dict[str, int] = field(default_factory=dict)
    also: dict[str, list[int]] = field(default_factory=dict)  # field → [right, total]
    misses: list[str] = field(default_factory=list)

    def count_also(self, name: str, right: bool) -> None:
        pair = self.also.setdefault(name, [0, 0])
        pair[0] += int(right)
        pair[1] += 1

    def percent(self, part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0


def load_openings(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["openings"])


def measure(
    openings: Iterable[Mapping[str, Any]],
    read: FactsReader | None = None,
    now: datetime = MEASURED_AT,
) -> Tally:
    """Routing figures for `read` (default: bot.understanding), `also:` fields always ours."""
    tally = Tally()
    for entry in openings:
        text, lang = str(entry["text"]), entry.get("lang")
        understanding = understand_message(text, lang, now)
        facts = dict(read(text, lang)) if read else understanding.facts.as_slots()
        if "demarche" in entry or "facts" in entry:
            _count_routing(tally, entry, facts)
        else:
            _count_intent(tally, entry, facts, understanding)
        _count_also(tally, entry.get("also") or {}, understanding)
    return tally


def _expected_candidates(entry: Mapping[str, Any]) -> frozenset[str]:
    catalogue = get_catalogue()
    if "demarche" in entry:
        return frozenset({str(entry["demarche"])})
    return frozenset(candidates(possible_values(entry["facts"], catalogue.routing), catalogue))


def _count_routing(tally: Tally, entry: Mapping[str, Any], facts: dict[str, str]) -> None:
    tally.routing += 1
    expected = _expected_candidates(entry)
    result = route(facts)
    got = frozenset(result.candidates)
    # Facts the catalogue has no démarche for (a VPF renewal that is not a spouse's) are right
    # when they leave none either: the reply says so.
    first = got == expected and (result.resolved or len(expected) != 1)
    within = first
    if not first and result.status is RouteStatus.QUESTION and result.question is not None:
        within = any(frozenset(o.candidates) == expected for o in result.question.options)
    if result.resolved and got != expected:
        tally.wrong_door += 1
    tally.first += first
    tally.within_one += within
    if not within:
        kind = _miss_kind(facts, expected, got, resolved=result.resolved)
        tally.miss_kinds[kind] = tally.miss_kinds.get(kind, 0) + 1
    if not first:
        said = ",".join(f"{k}={v}" for k, v in sorted(facts.items())) or "-"
        kind = "wrong door" if result.resolved else ("1 question" if within else "miss")
        want = entry.get("demarche") or "/".join(sorted(expected))
        tally.misses.append(f"[{kind}] {entry['text']!r} → {said} (want {want})")


def _miss_kind(
    facts: Mapping[str, str], expected: frozenset[str], got: frozenset[str], *, resolved: bool
) -> str:
    """wrong door: another démarche named; nothing read: the first question of all; too little
    read: the right door is two questions away; misread: the question's options leave it out."""
    if resolved:
        return "wrong door"
    if not facts:
        return "nothing read"
    return "too little read" if expected <= got else "misread"


def _count_intent(
    tally: Tally, entry: Mapping[str, Any], facts: dict[str, str], understanding: Understanding
) -> None:
    intent = str(entry.get("intent"))
    if intent in _WANTS_OF_INTENT:
        tally.managing += 1
        right = understanding.wants == _WANTS_OF_INTENT[intent]
        tally.managing_read += right
        if not right:
            tally.misses.append(
                f"[wants] {entry['text']!r} → {understanding.wants} (want {intent})"
            )
        return
    tally.other_intents += 1
    if (
        facts
        and route(facts).resolved
        and intent in ("greet", "help", "out_of_scope", "change_language")
    ):
        tally.false_doors += 1
        tally.misses.append(f"[false door] {entry['text']!r} → {facts} (intent {intent})")


def _count_also(tally: Tally, also: Mapping[str, Any], understanding: Understanding) -> None:
    if "expiry" in also:
        tally.count_also("expiry", understanding.expiry == date.fromisoformat(str(also["expiry"])))
    elif "expiry_text" in also:
        tally.count_also("expiry_text", understanding.expiry is not None)
    departement = also.get("departement")
    if departement is None and "place" in also:
        found = resolve_departements(str(also["place"]))
        departement = found[0].code if len(found) == 1 else None
    if departement is not None:
        place = understanding.place
        tally.count_also("place", place is not None and str(departement) in place.departements)
    if "numero_etranger" in also:
        tally.count_also(
            "numero_etranger", understanding.numero_etranger == str(also["numero_etranger"])
        )
    if "day_wish" in also:
        tally.count_also("day_wish", understanding.day_wish is not None)


def report(variety: str, tally: Tally) -> str:
    lines = [
        f"{variety:<10} right door at first reply {tally.percent(tally.first, tally.routing):5.1f} %"
        f"  within one question {tally.percent(tally.within_one, tally.routing):5.1f} %"
        f"  ({tally.routing} routing openings, {tally.wrong_door} wrong doors)",
        f"{'':<10} cancel/move/check read {tally.managing_read}/{tally.managing}"
        f"  false doors on other intents {tally.false_doors}/{tally.other_intents}",
    ]
    also = "  ".join(
        f"{name} {right}/{total}" for name, (right, total) in sorted(tally.also.items())
    )
    if also:
        lines.append(f"{'':<10} also: {also}")
    if tally.miss_kinds:
        kinds = "  ".join(f"{kind} {n}" for kind, n in sorted(tally.miss_kinds.items()))
        lines.append(f"{'':<10} not within one question: {kinds}")
    return "\n".join(lines)
