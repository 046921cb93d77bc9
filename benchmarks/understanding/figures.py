"""The figures of `guichet bench understanding`, per variety and per reply language, beside the
targets of issues 10 and 12."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.understanding.play import ConversationResult, OpeningResult

# Issue 10's targets (issue 12: language ≥ 97 % and within one question ≥ 95 % for new languages).
TARGETS = {
    "language_2_words": 98.0,
    "first_reply": 90.0,
    "within_one": 98.0,
    "dead_ends": 0,
    "ar_fr_segments": 1.6,
    # Issue 12: a language added later books in at most twice the French segments.
    "new_language_fr_segments": 2.0,
}


def segments_target(lang: str) -> float:
    """The most segments a booking in `lang` may cost, as a multiple of the French ones."""
    return float(TARGETS.get(f"{lang}_fr_segments", TARGETS["new_language_fr_segments"]))


def _percent(hits: Sequence[bool]) -> float | None:
    return round(100.0 * sum(hits) / len(hits), 1) if hits else None


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Figures:
    group: str
    openings: int
    language: float | None  # first reply in the person's language, %
    language_2_words: float | None  # the same on messages of two words or more
    first_reply: float | None  # right door at the first reply, %
    within_one: float | None  # … or after answering one question, %
    conversations: int
    reached: int  # conversations that reached their goal
    replies_wrong_language: int
    replies_missing: int
    replies_with_placeholder: int
    dead_ends: int
    messages_to_convocation: float | None  # median
    segments_per_booking: float | None  # median, all the replies of a conversation that booked


def figures(
    group: str, openings: Sequence[OpeningResult], conversations: Sequence[ConversationResult]
) -> Figures:
    routed = [o for o in openings if o.first is not None]
    booked = [c for c in conversations if c.goal == "convocation" and c.reached]
    return Figures(
        group=group,
        openings=len(openings),
        language=_percent([o.reply_lang == o.lang for o in openings]),
        language_2_words=_percent([o.reply_lang == o.lang for o in openings if o.words >= 2]),
        first_reply=_percent([bool(o.first) for o in routed]),
        within_one=_percent([bool(o.within_one) for o in routed]),
        conversations=len(conversations),
        reached=sum(c.reached for c in conversations),
        replies_wrong_language=sum(c.wrong_language for c in conversations),
        replies_missing=sum(c.missing for c in conversations),
        replies_with_placeholder=sum(c.placeholders for c in conversations),
        dead_ends=sum(c.dead_end for c in conversations),
        messages_to_convocation=_median([c.messages for c in booked]),
        segments_per_booking=_median([c.segments for c in booked]),
    )


def segments_ratio(by_lang: dict[str, Figures], lang: str = "ar") -> float | None:
    """A language's booking segments over the French ones (medians)."""
    other, fr = by_lang.get(lang), by_lang.get("fr")
    if not other or not fr or not other.segments_per_booking or not fr.segments_per_booking:
        return None
    return round(other.segments_per_booking / fr.segments_per_booking, 2)


def segments_ratios(by_lang: dict[str, Figures]) -> dict[str, float | None]:
    """Every reply language but French: its booking segments over the French ones."""
    return {lang: segments_ratio(by_lang, lang) for lang in by_lang if lang != "fr"}


def _cell(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:g}{unit}"


COLUMNS = (
    ("language", "lang %", "%"),
    ("language_2_words", "lang≥2w %", "%"),
    ("first_reply", "door 1st %", "%"),
    ("within_one", "≤1 question %", "%"),
    ("messages_to_convocation", "msgs→conv", ""),
    ("dead_ends", "dead ends", ""),
    ("segments_per_booking", "segs/booking", ""),
)


def table(rows: Sequence[Figures]) -> str:
    header = f"{'':<11}{'openings':>9}" + "".join(f"{title:>15}" for _, title, _ in COLUMNS)
    header += f"{'convs reached':>15}"
    lines = [header]
    for row in rows:
        cells = "".join(f"{_cell(getattr(row, name), unit):>15}" for name, _, unit in COLUMNS)
        lines.append(
            f"{row.group:<11}{row.openings:>9}{cells}{f'{row.reached}/{row.conversations}':>15}"
        )
    targets = {
        "language_2_words": f"≥{TARGETS['language_2_words']:g}%",
        "first_reply": f"≥{TARGETS['first_reply']:g}%",
        "within_one": f"≥{TARGETS['within_one']:g}%",
        "dead_ends": "0",
    }
    lines.append(
        f"{'target':<11}{'':>9}" + "".join(f"{targets.get(name, ''):>15}" for name, _, _ in COLUMNS)
    )
    return "\n".join(lines)


def checks(rows: Sequence[Figures]) -> str:
    return "\n".join(
        f"{row.group:<11}replies in another language {row.replies_wrong_language}, "
        f"missing {row.replies_missing}, with a placeholder {row.replies_with_placeholder}"
        for row in rows
    )


def as_json(
    varieties: Sequence[Figures],
    languages: Sequence[Figures],
    ratios: dict[str, float | None],
    openings: Sequence[OpeningResult],
    conversations: Sequence[ConversationResult],
    model: str,
) -> dict[str, Any]:
    return {
        "model": model,
        "targets": TARGETS,
        "varieties": [asdict(f) for f in varieties],
        "languages": [asdict(f) for f in languages],
        "ar_fr_segments": ratios.get("ar"),
        "segments_vs_fr": ratios,
        "openings": [asdict(o) for o in openings],
        "conversations": [asdict(c) for c in conversations],
    }
