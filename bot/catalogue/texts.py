"""A language's catalogue texts kept in its own folder, `locales/<code>/catalogue.yml`.

French, English and Arabic write their texts inline in data/catalogue/*.yml ({fr, en, ar}); a
language added later writes them in its folder, mirroring the catalogue: the same keys down to
each French text, the language's text in its place (`demarches: {naturalisation: {name: …}}`).
The loader lays these texts over the inline ones of the declared languages before validating.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.locales import LOCALES_DIR, languages

TEXTS_FILE = "catalogue.yml"
Path_ = tuple[str | int, ...]


def _is_text(value: Any) -> bool:
    """A text, or a list of words (a document's `words`: how people name it)."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, str) and v.strip() for v in value)
    return isinstance(value, str) and bool(value.strip())


def localized_texts(raw: Any, path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Every {fr: …, …} mapping of a catalogue file (a text or a list of words), with its keys
    from the top."""
    if isinstance(raw, dict):
        if _is_text(raw.get("fr")):
            yield path, raw
            return
        for key, value in raw.items():
            yield from localized_texts(value, (*path, key))
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            yield from localized_texts(value, (*path, index))


def text_at(texts: Any, path: Path_) -> str | list[str] | None:
    for key in path:
        if (
            isinstance(texts, dict)
            and key in texts
            or isinstance(texts, list)
            and isinstance(key, int)
            and key < len(texts)
        ):
            texts = texts[key]
        else:
            return None
    return texts if _is_text(texts) else None


def text_paths(texts: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Where a language's own file puts a text: every leaf of its mirror of the catalogue. An
    item left as {} puts none; a leaf that is no text (None: a YAML flow mapping cut at a comma,
    "{pays: … 25 €), при получении карты}") still names a place, for the check to refuse."""
    if isinstance(texts, dict):
        for key, value in texts.items():
            yield from text_paths(value, (*path, key))
    elif isinstance(texts, list) and not _is_text(texts):
        for index, value in enumerate(texts):
            yield from text_paths(value, (*path, index))
    else:
        yield path


def read_texts(code: str, locales_dir: Path = LOCALES_DIR) -> dict[str, Any]:
    """The catalogue texts of one language (empty when it keeps them inline)."""
    path = locales_dir / code / TEXTS_FILE
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def lay_over(file_stem: str, raw: Any, texts_by_language: Mapping[str, Mapping[str, Any]]) -> None:
    """Puts each language's texts into the {fr, …} mappings of one catalogue file (in place)."""
    for path, mapping in localized_texts(raw):
        for code, texts in texts_by_language.items():
            text = text_at(texts.get(file_stem), path)
            if text is not None:
                mapping.setdefault(code, text)


def declared_texts() -> dict[str, dict[str, Any]]:
    return {lang.code: texts for lang in languages() if (texts := read_texts(lang.code))}
