"""The entity-annotated lines of data/nlu as (text, lang, facts): the training material of the
routing-facts readers (cue check and the classifier of facts_classifier.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.text import fold

DIMENSIONS = ("topic", "procedure_kind", "title_type")
_ENTITY = re.compile(r"\[([^\]]+)\]\((topic|procedure_kind|title_type)\)")
_ANY_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def synonyms(nlu_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    data = yaml.safe_load((nlu_dir / "synonyms.yml").read_text(encoding="utf-8"))
    for block in data.get("nlu") or []:
        if "synonym" in block:
            for line in str(block["examples"]).splitlines():
                if line.strip().startswith("- "):
                    found[fold(line.strip()[2:].strip())] = str(block["synonym"])
    return found


def annotated_lines(nlu_dir: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(text, lang, facts) for every example line; facts {} when the line names none."""
    names = synonyms(nlu_dir)
    for lang in ("fr", "en", "ar"):
        data = yaml.safe_load((nlu_dir / f"{lang}.yml").read_text(encoding="utf-8"))
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                raw = line[2:]
                facts: dict[str, str] = {}
                for span, dimension in _ENTITY.findall(raw):
                    value = names.get(fold(span), fold(span))
                    # The first span of a dimension wins, as for a Rasa slot.
                    facts.setdefault(dimension, value)
                yield _ANY_ANNOTATION.sub(r"\1", raw), lang, facts
