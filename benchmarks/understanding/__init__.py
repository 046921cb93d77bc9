"""`guichet bench understanding`: how the assistant understands people who write as they do
(issues 10 and 12), measured end to end through the signed /sms/twilio webhook on the held-out
corpus of tests/understanding/ (never trained on). How replies are read and why:
docs/decisions/0010-bench-understanding.md.

Prints, per variety and per reply language: the first reply in the person's language, the
right door at the first reply and within one question, the median messages to a convocation,
the dead ends and the segments per booking, beside the issues' targets.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from benchmarks.runner import BenchOptions
from benchmarks.understanding import figures as fig
from benchmarks.understanding.play import (
    ConversationResult,
    OpeningResult,
    Player,
    SmsPhone,
    play_opening,
)
from benchmarks.understanding.stack import StackUnavailable, Target, book_for, target
from bot.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "understanding"


def load_openings(
    varieties: Iterable[str], limit: int | None, folder: str = "openings"
) -> list[tuple[str, dict[str, Any]]]:
    """(variety, entry) for each opening of the chosen varieties, at most `limit` per variety;
    `folder` "dev" reads the dev set, the one to look at when tuning."""
    chosen: list[tuple[str, dict[str, Any]]] = []
    for path in sorted((CORPUS / folder).glob("*.yml")):
        if varieties and path.stem not in varieties:
            continue
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["openings"]
        chosen += [(path.stem, entry) for entry in entries[:limit]]
    return chosen


def load_conversations(
    varieties: Iterable[str], limit: int | None, folder: str = "conversations"
) -> list[dict[str, Any]]:
    """The scripted conversations of the chosen varieties; `folder` "dev/conversations" reads
    the dev ones, free to tune on."""
    chosen: list[dict[str, Any]] = []
    for path in sorted((CORPUS / folder).glob("*.yml")):
        conversations = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
        mine = [c for c in conversations if not varieties or c["variety"] in varieties]
        chosen += mine[:limit]
    return chosen


def _phone(stack: Target) -> SmsPhone:
    return SmsPhone(stack.gateway, stack.public_url, stack.auth_token, stack.rest)


def play_conversation(stack: Target, conversation: Mapping[str, Any]) -> ConversationResult:
    phone = _phone(stack)
    profile = conversation.get("profile") or {}
    world_code = book_for(stack.api_url, phone.number) if profile.get("booking_code") else None
    return Player(conversation, phone, world_code).play()


def _opening(stack: Target, item: tuple[str, dict[str, Any]]) -> OpeningResult:
    variety, entry = item
    try:
        return play_opening(_phone(stack), variety, entry)
    except Exception as exc:  # one broken exchange is a figure, not the end of the run
        lang, text = str(entry["lang"]), str(entry["text"])
        routed = "intent" not in entry
        failed = False if routed else None
        return OpeningResult(variety, text, lang, "error", None, failed, failed, [repr(exc)])


def _conversation(stack: Target, conversation: Mapping[str, Any]) -> ConversationResult:
    try:
        return play_conversation(stack, conversation)
    except Exception as exc:  # as above
        return ConversationResult(
            id=str(conversation["id"]),
            variety=str(conversation["variety"]),
            lang=str(conversation["lang"]),
            goal=str(conversation.get("goal") or "answer"),
            reached=False,
            messages=0,
            segments=0,
            stalled=f"error: {exc!r}",
        )


def _in_parallel[T, R](label: str, items: list[T], play: Callable[[T], R], workers: int) -> list[R]:
    """Plays `items` with `workers` phones at once, printing progress as they finish."""
    done: list[R] = []
    started = time.perf_counter()
    step = max(1, len(items) // 20)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(play, items):
            done.append(result)
            if len(done) % step == 0 or len(done) == len(items):
                elapsed = time.perf_counter() - started
                print(f"    {label}: {len(done)}/{len(items)} ({elapsed:.0f} s)", flush=True)
    return done


def measure(
    stack: Target, options: BenchOptions
) -> tuple[list[OpeningResult], list[ConversationResult]]:
    openings = load_openings(options.varieties, options.limit, "dev" if options.dev else "openings")
    conversations = load_conversations(
        options.varieties, options.limit, "dev/conversations" if options.dev else "conversations"
    )
    opened = _in_parallel(
        "openings",
        openings,
        lambda item: _opening(stack, item),
        options.workers,
    )
    played = _in_parallel(
        "conversations",
        conversations,
        lambda conversation: _conversation(stack, conversation),
        options.workers,
    )
    return opened, played


def report(
    openings: list[OpeningResult], conversations: list[ConversationResult], model: str
) -> dict[str, Any]:
    varieties = sorted({o.variety for o in openings} | {c.variety for c in conversations})
    by_variety = [
        fig.figures(
            v, [o for o in openings if o.variety == v], [c for c in conversations if c.variety == v]
        )
        for v in varieties
    ]
    langs = sorted({o.lang for o in openings} | {c.lang for c in conversations})
    by_lang = {
        lang: fig.figures(
            f"lang {lang}",
            [o for o in openings if o.lang == lang],
            [c for c in conversations if c.lang == lang],
        )
        for lang in langs
    }
    ratios = fig.segments_ratios(by_lang)
    print(f"    model {model}")
    print(fig.table([*by_variety, *by_lang.values()]))
    print(fig.checks([*by_variety, *by_lang.values()]))
    for lang, ratio in ratios.items():
        shown = "-" if ratio is None else f"{ratio:g}×"
        print(
            f"    {lang} / fr segments per booking: {shown} "
            f"(target ≤ {fig.segments_target(lang):g}×)"
        )
    stalled = [c for c in conversations if not c.reached]
    for c in stalled:
        print(f"    not reached: {c.id} ({c.goal}) after {c.messages} messages: {c.stalled}")
    return fig.as_json(by_variety, list(by_lang.values()), ratios, openings, conversations, model)


def run_benchmark(options: BenchOptions) -> None:
    try:
        with target(options.url) as stack:
            print(f"    texting {stack.gateway}/sms/twilio", flush=True)
            openings, conversations = measure(stack, options)
            figures = report(openings, conversations, stack.model)
    except StackUnavailable as exc:
        print(f"    skipped: {exc}", file=sys.stderr)
        return
    if options.json_path:
        Path(options.json_path).write_text(
            json.dumps(figures, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        print(f"    figures written to {options.json_path}")
