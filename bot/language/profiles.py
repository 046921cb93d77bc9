"""The languages that can be identified, read from data: one profile per language in
`bot/language/languages/<code>.yml`, its training text from the NLU file `data/nlu/<code>.yml`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
NEUTRAL_FILE = Path(__file__).resolve().parent / "neutral.yml"
NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"

# Rasa's entity annotation "[text](entity)" or "[text]{...}": the text stays, the markup goes.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Profile:
    code: str
    scripts: frozenset[str]
    letters: frozenset[str]
    samples: tuple[str, ...]


def load_profiles(directory: Path = LANGUAGES_DIR) -> tuple[Profile, ...]:
    profiles = []
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        profiles.append(
            Profile(
                code=str(raw["code"]),
                scripts=frozenset(str(s).upper() for s in raw["scripts"]),
                letters=frozenset(str(raw.get("letters") or "")),
                samples=tuple(str(s) for s in raw.get("samples") or ()),
            )
        )
    return tuple(profiles)


def load_neutral_words(path: Path = NEUTRAL_FILE) -> tuple[str, ...]:
    return tuple(str(w) for w in yaml.safe_load(path.read_text(encoding="utf-8"))["words"])


def nlu_lines(path: Path) -> Iterator[str]:
    """Every example line of a Rasa NLU file (all intents), without entity markup."""
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" not in block:
            continue  # synonyms, regexes and lookups are not sentences
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield _ANNOTATION.sub(r"\1", line[2:])


def training_lines(profile: Profile, nlu_dir: Path = NLU_DIR) -> list[str]:
    path = nlu_dir / f"{profile.code}.yml"
    lines = list(nlu_lines(path)) if path.exists() else []
    return lines + list(profile.samples)
