"""The held-out understanding corpus (issue 10) is well formed and stays held out.

Checks the files only: that they load, are big enough, name real démarches, routing facts and
intents, and that no opening message was copied from (or into) the NLU training data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalogue import get_catalogue
from bot.i18n import SUPPORTED_LANGUAGES
from bot.locales import all_languages
from bot.routing import RouteStatus, route

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OPENINGS_DIR = HERE / "openings"
CONVERSATIONS_DIR = HERE / "conversations"
ISSUE_10_VARIETIES = ("fr", "fr_sms", "en", "ar_msa", "ar_darija", "arabizi")
# A language added later (issue 12) is one variety named by its code: openings/<code>.yml,
# written before it is declared (README, "Add a language"), so a draft's corpus is checked too.
ADDED_VARIETIES = tuple(
    code
    for code in all_languages()
    if code not in ("fr", "en", "ar") and (OPENINGS_DIR / f"{code}.yml").is_file()
)
VARIETIES = ISSUE_10_VARIETIES + ADDED_VARIETIES
# The languages the assistant answers in (bot.i18n), and the drafts' own, for their corpus.
REPLY_LANGUAGES = set(SUPPORTED_LANGUAGES) | set(ADDED_VARIETIES)
# Issue 10's six varieties need 150 openings each; a language added later (issue 12) needs 80.
MIN_OPENINGS = 150
MIN_OPENINGS_ADDED_LANGUAGE = 80
MIN_CONVERSATIONS = 40
OUTCOMES = ("demarche", "facts", "intent")
# The intents an opening message may have when it is not about which démarche (issue 10).
OPENING_INTENTS = {
    "greet",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "my_appointment",
    "my_proof",
    "ask_documents",
    "give_expiry",
    "help",
    "out_of_scope",
    "change_language",
    "deadline_alerts",
    "join_waitlist",
}
ALSO_KEYS = {
    "expiry",
    "expiry_text",
    "place",
    "departement",
    "day_wish",
    "numero_etranger",
    "booking_code",
    "intent",
}
WANTS = {
    "book",
    "cancel",
    "reschedule",
    "check",
    "documents",
    "proof",
    "waitlist",
    "collect",
    "info",
    "language",
    "alerts",
    "help",
}
# What the last reply asks, for a turn said only then (absent: said next, whatever was asked).
WHEN = {
    "language",
    "subject",
    "road",
    "procedure",
    "title",
    "place",
    "day",
    "slot",
    "confirm",
    "numero_etranger",
    "booking_code",
    "documents",
    "any_question",
}
GOALS = {"convocation", "door", "cancelled", "rescheduled", "waitlist", "proof", "answer"}
# Rasa annotations in training examples: [words](entity), [words]{"entity": ...}, [words](e:v)
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form, end punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", bare).strip().rstrip("?!.…,;:").strip()


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def openings(variety: str) -> list[dict[str, Any]]:
    data = load_yaml(OPENINGS_DIR / f"{variety}.yml")
    assert data["variety"] == variety
    return data["openings"]


def all_openings() -> Iterator[tuple[str, dict[str, Any]]]:
    for variety in VARIETIES:
        for entry in openings(variety):
            yield variety, entry


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        for intent in load_yaml(path).get("intents") or []:
            intents.add(intent if isinstance(intent, str) else next(iter(intent)))
    return intents


def routing_values() -> dict[str, set[str]]:
    routing = load_yaml(PROJECT_ROOT / "data" / "catalogue" / "routing.yml")
    values = {dim: set(vals) for dim, vals in routing["dimensions"].items()}
    for dim, groups in (routing.get("groups") or {}).items():
        values[dim] |= set(groups)
    return values


def training_texts() -> set[str]:
    """Every training example of data/nlu, annotations removed, normalized."""
    texts: set[str] = set()
    for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml")):
        for block in load_yaml(path).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.add(normalize(ANNOTATION.sub(r"\1", line[2:])))
    return texts


@pytest.mark.parametrize("variety", VARIETIES)
def test_each_variety_has_enough_well_formed_openings(variety: str) -> None:
    entries = openings(variety)
    minimum = MIN_OPENINGS if variety in ISSUE_10_VARIETIES else MIN_OPENINGS_ADDED_LANGUAGE
    assert len(entries) >= minimum, f"{variety}: {len(entries)} openings"
    for entry in entries:
        assert isinstance(entry.get("text"), str) and entry["text"].strip(), entry
        assert entry.get("lang") in REPLY_LANGUAGES, entry
        outcomes = [key for key in OUTCOMES if key in entry]
        assert len(outcomes) == 1, f"exactly one expected outcome: {entry}"
        assert set(entry) <= {"text", "lang", *OUTCOMES, "also"}, entry
        if variety in ("ar_msa", "ar_darija", "arabizi"):
            assert entry["lang"] == "ar", entry


def test_expected_demarches_exist_in_the_catalogue() -> None:
    demarches = set(get_catalogue().demarches)
    unknown = [
        e["text"] for _, e in all_openings() if "demarche" in e and e["demarche"] not in demarches
    ]
    assert not unknown


def test_expected_facts_are_routing_values_and_leave_more_than_one_door() -> None:
    """A `facts` outcome means the message does not say enough for one démarche."""
    values = routing_values()
    for _, entry in all_openings():
        facts = entry.get("facts")
        if facts is None:
            continue
        assert facts and isinstance(facts, Mapping), entry
        for dimension, value in facts.items():
            assert value in values.get(dimension, set()), f"{dimension}={value}: {entry['text']}"
        assert route(facts).status is not RouteStatus.RESOLVED, (
            f"these facts name one démarche, expect `demarche` instead: {entry['text']}"
        )


def test_expected_intents_are_domain_intents() -> None:
    known = domain_intents() & OPENING_INTENTS
    assert known == OPENING_INTENTS, f"missing from domain/: {OPENING_INTENTS - known}"
    for _, entry in all_openings():
        if "intent" in entry:
            assert entry["intent"] in OPENING_INTENTS, entry


def test_also_carries_only_known_kinds_of_information() -> None:
    departements = {
        d["code"]
        for d in load_yaml(PROJECT_ROOT / "data" / "catalogue" / "departements.yml")["departements"]
    }
    for _, entry in all_openings():
        also = entry.get("also") or {}
        assert set(also) <= ALSO_KEYS, entry
        if "expiry" in also:
            date.fromisoformat(str(also["expiry"]))
        if "numero_etranger" in also:
            assert re.fullmatch(r"\d{10}", str(also["numero_etranger"])), entry
        if "departement" in also:
            assert also["departement"] in departements, entry
        if "intent" in also:
            assert also["intent"] in OPENING_INTENTS, entry


def test_no_duplicate_texts() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for variety, entry in all_openings():
        key = normalize(entry["text"])
        if key in seen:
            duplicates.append((seen[key], variety, entry["text"]))
        seen[key] = variety
    assert not duplicates


def test_no_opening_was_trained_on() -> None:
    """The corpus is held out: no opening text appears verbatim in data/nlu."""
    trained = training_texts()
    assert trained, "no training examples found in data/nlu"
    leaked = [entry["text"] for _, entry in all_openings() if normalize(entry["text"]) in trained]
    assert not leaked, f"held-out texts found in data/nlu: {leaked}"


def conversations(folder: Path = CONVERSATIONS_DIR) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yml")):
        found.extend(load_yaml(path)["conversations"])
    return found


def _well_formed(convs: list[dict[str, Any]]) -> None:
    ids = [c["id"] for c in convs]
    assert len(ids) == len(set(ids)), "conversation ids must be unique"
    demarches = set(get_catalogue().demarches)
    for conv in convs:
        assert conv["variety"] in VARIETIES, conv["id"]
        assert conv["lang"] in REPLY_LANGUAGES, conv["id"]
        assert conv.get("situation"), conv["id"]
        if conv.get("demarche") is not None:
            assert conv["demarche"] in demarches, conv["id"]
        assert conv["goal"] in GOALS, conv["id"]
        turns = conv["turns"]
        assert len(turns) >= 2, conv["id"]
        for turn in turns:
            assert isinstance(turn.get("say"), str) and turn["say"].strip(), (conv["id"], turn)
            assert turn.get("when", "language") in WHEN, (conv["id"], turn)
            if "wants" in turn:
                assert turn["wants"] in WANTS, (conv["id"], turn)


def test_conversations_are_enough_and_well_formed() -> None:
    convs = conversations()
    assert len(convs) >= MIN_CONVERSATIONS, len(convs)
    _well_formed(convs)
    assert {c["variety"] for c in convs} == set(VARIETIES)
    for variety in VARIETIES:
        assert sum(1 for c in convs if c["variety"] == variety) >= 5, variety
    assert sum(1 for c in convs if any(t.get("off_script") for t in c["turns"])) >= 6


def test_dev_conversations_are_well_formed_and_not_held_out() -> None:
    dev = conversations(HERE / "dev" / "conversations")
    assert dev
    _well_formed(dev)
    held_out = {c["id"] for c in conversations()} | {
        normalize(t["say"]) for c in conversations() for t in c["turns"]
    }
    assert not [c["id"] for c in dev if c["id"] in held_out]
    # Sentences, not the words everyone sends ("allo", "<booking_code>").
    said = [t["say"] for c in dev for t in c["turns"] if len(t["say"].split()) >= 3]
    assert not [text for text in said if normalize(text) in held_out]
