"""Reads our Rasa NLU YAML files without Rasa (the main .venv has no Rasa): examples, annotated
entities, synonyms and regexes, enough for the data checks and the gate."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.locales import all_languages, declared_codes

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "data" / "nlu"
HELD_OUT_DIR = ROOT / "tests" / "nlu"
# The declared languages (locales/languages.yml): each has a training and a held-out file.
LANGUAGES = declared_codes()

# The shared contract (see the brief): the dialogue engineer codes against these names.
INTENTS = frozenset(
    [
        "greet",
        "goodbye",
        "affirm",
        "deny",
        "thank",
        "choose_language",
        "change_language",
        "menu",
        "help",
        "need_procedure",
        "ask_documents",
        "have_documents",
        "missing_documents",
        "give_expiry",
        "book_appointment",
        "inform",
        "cancel_appointment",
        "reschedule_appointment",
        "my_appointment",
        "ask_opening_days",
        "my_proof",
        "join_waitlist",
        "more",
        "out_of_scope",
        "insult",
        "deadline_alerts",
    ]
)
ENTITY_VALUES: dict[str, frozenset[str] | None] = {
    # A draft may already name itself in its NLU file (README, "Add a language", step 4).
    "language": frozenset(all_languages()),
    "procedure_kind": frozenset({"renewal", "first", "pickup", "lost"}),
    "title_type": frozenset(
        {"carte_resident", "conjoint_francais", "etudiant", "vpf", "talent", "recepisse", "titre"}
    ),
    "topic": frozenset(
        {"nationality", "vehicle", "driving_licence", "work", "admission_exceptionnelle"}
    ),
    # Free values: the text itself is the value.
    "departement": None,
    "postal_code": None,
    "city": None,
    "booking_code": None,
    "numero_etranger": None,
    "phone": None,
}

# Rasa's two ways to mark an entity: [text](entity) and [text]{"entity": …, "value": …}.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^{}]*\}))")


@dataclass(frozen=True)
class Entity:
    text: str
    entity: str
    value: str | None = None  # given in the annotation; else the text (or its synonym)


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    entities: tuple[Entity, ...]


def _parse_line(intent: str, line: str) -> Example:
    entities = []
    for m in _ANNOTATION.finditer(line):
        if m.group("json"):
            spec = json.loads(m.group("json"))
            value = spec.get("value")
            entities.append(Entity(m.group("text"), spec["entity"], value and str(value)))
        else:
            entities.append(Entity(m.group("text"), m.group("entity").split(":")[0]))
    return Example(intent, _ANNOTATION.sub(lambda m: m.group("text"), line), tuple(entities))


def _blocks(path: Path) -> list[dict[str, object]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", [])


def _lines(block: dict[str, object]) -> list[str]:
    raw = str(block.get("examples", ""))
    return [line.strip()[2:] for line in raw.splitlines() if line.strip().startswith("- ")]


@cache
def examples(path: Path) -> tuple[Example, ...]:
    return tuple(
        _parse_line(str(block["intent"]), line)
        for block in _blocks(path)
        if "intent" in block
        for line in _lines(block)
    )


@cache
def synonym_pairs() -> tuple[tuple[str, str], ...]:
    """(surface form in lower case, canonical value) from every file in data/nlu."""
    return tuple(
        (form.lower(), str(block["synonym"]))
        for path in sorted(NLU_DIR.glob("*.yml"))
        for block in _blocks(path)
        if "synonym" in block
        for form in _lines(block)
    )


def synonyms() -> dict[str, str]:
    return dict(synonym_pairs())


@cache
def regexes() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in _blocks(path):
            if "regex" in block:
                table.setdefault(str(block["regex"]), []).extend(_lines(block))
    return table


def canonical(entity: Entity) -> str:
    if entity.value is not None:
        return entity.value
    return synonyms().get(entity.text.lower(), entity.text)


def normalise(text: str) -> str:
    """Folds case, accents, punctuation and spacing: two lines equal here are the same message."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def training_file(lang: str) -> Path:
    return NLU_DIR / f"{lang}.yml"


def held_out_file(lang: str) -> Path:
    return HELD_OUT_DIR / f"{lang}.yml"
