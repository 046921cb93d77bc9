"""Personal identifiers as they may appear in logs: never in clear."""

from __future__ import annotations


def mask(value: str | int | None) -> str:
    """ "+33612345678" → "+336******78"; short values are hidden entirely."""
    text = "" if value is None else str(value)
    if len(text) <= 6:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]
