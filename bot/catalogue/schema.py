"""Load-time validation of the catalogue YAML: every error names the file, the key and the reason.

A tiny typed cursor (`Node`) instead of a schema library: the catalogue needs cross-file checks
(a document ref, a source, a démarche code) that a generic schema cannot express, and the
error messages are the product here (a volunteer editing YAML must see where and why).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import time
from pathlib import Path
from typing import Any

from bot.i18n import SUPPORTED_LANGUAGES

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class CatalogueError(ValueError):
    """A catalogue file is invalid; `str()` reads "<file>: <key>: <reason>"."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(f"{file}: {key or '<root>'}: {reason}")


class Node:
    """A value read from one YAML file, with the dotted key path that leads to it."""

    def __init__(self, value: Any, file: str, path: str = "") -> None:
        self.value = value
        self.file = file
        self.path = path

    @classmethod
    def from_file(cls, path: Path) -> Node:
        import yaml  # imported here so that importing the package stays cheap

        # The C loader when libyaml is there: it parses the catalogue about ten times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            value = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except yaml.YAMLError as exc:
            raise CatalogueError(path.name, "", f"not valid YAML ({exc})") from exc
        return cls(value, path.name)

    def fail(self, reason: str) -> CatalogueError:
        return CatalogueError(self.file, self.path, reason)

    def _child(self, key: str | int, value: Any) -> Node:
        suffix = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.path else str(key))
        return Node(value, self.file, f"{self.path}{suffix}")

    # -- containers -------------------------------------------------------------------
    def mapping(self, required: Iterable[str] = (), optional: Iterable[str] = ()) -> Node:
        """Checks this is a mapping with exactly the allowed keys (typos fail loudly)."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {type(self.value).__name__}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in required:
            if key not in self.value:
                raise self.fail(f"missing key {key!r}")
        if allowed:
            unknown = sorted(str(k) for k in self.value if k not in allowed)
            if unknown:
                raise self.fail(
                    f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
                )
        return self

    def __getitem__(self, key: str) -> Node:
        self.mapping()
        if key not in self.value:
            raise self.fail(f"missing key {key!r}")
        return self._child(key, self.value[key])

    def get(self, key: str) -> Node | None:
        """The child under `key`, or None when it is absent or null."""
        self.mapping()
        value = self.value.get(key)
        return None if value is None else self._child(key, value)

    def items(self) -> Iterator[tuple[str, Node]]:
        self.mapping()
        for key, value in self.value.items():
            if not isinstance(key, str):
                raise self.fail(f"key {key!r} must be a string")
            yield key, self._child(key, value)

    def elements(self) -> Iterator[Node]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        for index, value in enumerate(self.value):
            yield self._child(index, value)

    # -- scalars ----------------------------------------------------------------------
    def text(self, max_length: int | None = None) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("expected a non-empty string")
        if max_length is not None and len(self.value) > max_length:
            raise self.fail(f"{len(self.value)} characters, at most {max_length} allowed")
        return self.value.strip()

    def integer(self, minimum: int = 0) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("expected an integer")
        if self.value < minimum:
            raise self.fail(f"must be at least {minimum}")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false")
        return self.value

    def choice(self, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        if self.value not in allowed:
            raise self.fail(f"{self.value!r} is not one of {', '.join(allowed)}")
        return str(self.value)

    def clock(self) -> time:
        match = _TIME.match(self.value) if isinstance(self.value, str) else None
        if match is None:
            raise self.fail(f'expected a time "HH:MM", got {self.value!r}')
        return time(int(match.group(1)), int(match.group(2)))

    def weekday(self) -> int:
        return WEEKDAYS.index(self.choice(WEEKDAYS))

    def text_list(self) -> tuple[str, ...]:
        """A string or a list of strings (YAML authors write either)."""
        if isinstance(self.value, str):
            return (self.text(),)
        return tuple(element.text() for element in self.elements())

    def localized(self, max_length: int | None = None) -> dict[str, str]:
        """{fr, en, ar}: complete for every supported language, nothing else."""
        self.mapping(required=SUPPORTED_LANGUAGES)
        return {lang: self[lang].text(max_length) for lang in SUPPORTED_LANGUAGES}
