"""The languages that can be identified, read from data: the `identification` of each declared
language in `locales/<code>/language.yml`, its training text from the NLU file `data/nlu/<code>.yml`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.language.text import words
from bot.locales import LOCALES_DIR, declared_languages
from bot.text import fold as normalise

NEUTRAL_FILE = Path(__file__).resolve().parent / "neutral.yml"
BORROWED_FILE = Path(__file__).resolve().parent / "borrowed.yml"
NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"

# Rasa's entity annotation "[text](entity)" or "[text]{...}": the text stays, the markup goes.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
# Places named in the examples ("[Bobigny](city)", a whole line in answer to "which town?"):
# a name says nothing of how a language is written, and the few Latin lines of a language
# written in another script (Pashto, Persian) made "ana f bobigny" look Pashto.
_PLACE_ANNOTATION = re.compile(r"\[[^\]]+\]\((?:city|departement|postal_code)\)")


@dataclass(frozen=True)
class Profile:
    code: str
    scripts: frozenset[str]
    letters: frozenset[str]
    samples: tuple[str, ...]
    # Words only it writes among the languages of its script (Pashto's « د », « په », « زه »;
    # Persian's « است », « هستم »), normalised as bot.text does (« مي » is « می »): like
    # `letters`, they settle it against the others.
    own_words: frozenset[str] = frozenset()
    # Whether words of another script inside its lines are its own too: Darija's French words in
    # Arabic lines are how Arabizi is written, but the French terms of a Ukrainian line
    # ("мій titre de séjour") are French, not Ukrainian translit.
    loanwords: bool = True
    scripts_in_order: tuple[str, ...] = ()  # as listed: its own script first
    # The scripts its NLU lines teach (default: all its scripts). Chinese lines quote French
    # words (Grenoble, rdv, titre de séjour) that are no pinyin: its Latin writing is learnt
    # from `samples` only, or "Grenoble, Isère" would read as Chinese.
    nlu_scripts: frozenset[str] = frozenset()
    # Languages whose words its writers put inside their own sentences, in the same script
    # (Arabizi's French nouns: "bghit rdv pour renouvellement titre de sejour" is Darija).
    switches_to: tuple[str, ...] = ()


def load_profiles(locales_dir: Path = LOCALES_DIR) -> tuple[Profile, ...]:
    """One profile per declared language (a draft is not identified: it could not answer)."""
    return tuple(
        Profile(
            code=lang.code,
            scripts=frozenset(str(s).upper() for s in lang.identification["scripts"]),
            letters=frozenset(str(lang.identification.get("letters") or "")),
            samples=tuple(str(s) for s in lang.identification.get("samples") or ()),
            own_words=frozenset(
                normalise(str(w)) for w in lang.identification.get("own_words") or ()
            ),
            loanwords=bool(lang.identification.get("loanwords", True)),
            scripts_in_order=tuple(str(s).upper() for s in lang.identification["scripts"]),
            nlu_scripts=frozenset(
                str(s).upper()
                for s in lang.identification.get("nlu_scripts") or lang.identification["scripts"]
            ),
            switches_to=tuple(str(c) for c in lang.identification.get("switches_to") or ()),
        )
        for lang in declared_languages(locales_dir)
    )


def load_neutral_words(path: Path = NEUTRAL_FILE) -> tuple[str, ...]:
    return tuple(str(w) for w in yaml.safe_load(path.read_text(encoding="utf-8"))["words"])


def load_borrowed_terms(path: Path = BORROWED_FILE) -> dict[str, tuple[str, ...]]:
    """Kind of borrowed term (administrative, courtesy) → its terms."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {kind: tuple(str(t) for t in terms) for kind, terms in data.items()}


def nlu_lines(path: Path, *, places: bool = True) -> Iterator[str]:
    """Every example line of a Rasa NLU file (all intents), without entity markup; without the
    places it names (`places=False`) for training identification."""
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" not in block:
            continue  # synonyms, regexes and lookups are not sentences
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = line[2:] if places else _PLACE_ANNOTATION.sub("", line[2:])
                yield _ANNOTATION.sub(r"\1", text)


def without_loanwords(line: str, own_script: str) -> str:
    """A line that mixes scripts keeps only its words of `own_script`; a line in one script
    (Cyrillic, or translit in Latin letters) stays whole."""
    found = words(line)
    if len({w.script for w in found}) <= 1:
        return line
    return " ".join(w.text for w in found if w.script == own_script)


def training_lines(
    profile: Profile, nlu_dir: Path = NLU_DIR, switched: frozenset[str] = frozenset()
) -> list[str]:
    """Its NLU lines and samples. `switched`: words of the languages it switches to
    (`switches_to`), left out of its NLU lines (not its samples): "bghit titre de sejour" teaches
    "bghit", while "titre de sejour" is read as the French it is (bot.language.identify)."""
    path = nlu_dir / f"{profile.code}.yml"
    lines = list(nlu_lines(path, places=False)) if path.exists() else []
    if switched:
        lines = [" ".join(w.text for w in words(line) if w.text not in switched) for line in lines]
    if not profile.loanwords:
        own = profile.scripts_in_order[0]
        lines = [without_loanwords(line, own) for line in lines]
    if profile.nlu_scripts:
        lines = [
            " ".join(w.text for w in words(line) if w.script in profile.nlu_scripts)
            for line in lines
        ]
    return lines + list(profile.samples)
