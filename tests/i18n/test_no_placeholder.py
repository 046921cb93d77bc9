"""No placeholder ever reaches a person (issue 10, item 5).

Every response dispatched by an action is rendered in every language with every combination of
the values its call can pass: each keyword argument whose expression may be None or "" (an unset
slot, `x if c else ""`, `.get(...)`) is tried with that value too. The routing sentences are
rendered for every démarche with and without each site, and the scheduler's sentences with the
values it passes. A rendered text fails on `[name]`, `{name}`, `None`, `nan`, or an empty value
left between punctuation.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from bot.catalogue import get_catalogue
from bot.i18n import SUPPORTED_LANGUAGES, placeholders, translate
from bot.responses import RESPONSES, render
from bot.routing import fee_step, next_steps
from bot.scheduler import messages

ROOT = Path(__file__).resolve().parents[2]
WHEN = dt.datetime(2026, 3, 10, 9, 20, tzinfo=dt.UTC)
SAMPLES: dict[str, object] = {
    "when": WHEN,
    "checked_at": WHEN,
    "expiry": WHEN.date(),
    "count": 3,
    "page": 1,
    "pages": 2,
    "code": "K7P2-QX4M",
}
TEXT = "Préfecture de la Dordogne"
_LEFTOVER = re.compile(r"\[[a-z_]+\]|\{[a-z_]*\}|\bNone\b|\bnan\b")
# An empty value leaves two separators side by side: "à la  pour", "(, )", ": ." …
_HOLE = re.compile(r"\w  \w|\(\s*[,)]|,\s*[,.]|:\s*[.,]|\s[,.]\s|^\s*[,.:]")


def _may_be(node: ast.expr) -> list[object]:
    """The empty values an argument expression can take (besides a real value)."""
    empties: list[object] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.IfExp):
            for branch in (sub.body, sub.orelse):
                if isinstance(branch, ast.Constant) and branch.value in (None, ""):
                    empties.append(branch.value)
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in ("get", "get_slot")
            and not (isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or))
        ):
            empties.append(None)  # an unset slot or key, unless `or` gives a fallback
    return list(dict.fromkeys(empties))


def dispatch_calls() -> list[tuple[str, str, dict[str, list[object]]]]:
    """(where, response, {argument: values}) for every `utter_message(response=...)` call;
    responses chosen by a variable (`name`) count for each literal the function assigns it."""
    calls = []
    for path in sorted((ROOT / "actions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            local: dict[str, ast.expr] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        local[target.id] = node.value
            for node in ast.walk(function):
                if not (
                    isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message"
                ):
                    continue
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                response = keywords.pop("response", None)
                names = _literals(response)
                arguments: dict[str, list[object]] = {}
                opaque = False  # `**helper(...)`: its keys are taken as all given
                for keyword in node.keywords:
                    if keyword.arg is not None:
                        continue
                    spread = (
                        local.get(keyword.value.id) if isinstance(keyword.value, ast.Name) else None
                    )
                    if isinstance(spread, ast.Dict):
                        for key, value in zip(spread.keys, spread.values, strict=True):
                            if isinstance(key, ast.Constant):
                                keywords[str(key.value)] = value
                    else:
                        opaque = True
                for name, value in keywords.items():
                    arguments[name] = [SAMPLES.get(name, TEXT), *_may_be(value)]
                where = f"{path.name}:{node.lineno}"
                for name in names or _literals(local.get(getattr(response, "id", ""))):
                    given = dict(arguments)
                    if opaque:
                        for missing in placeholders(RESPONSES[name].text) - set(given):
                            given[missing] = [SAMPLES.get(missing, TEXT)]
                    calls.append((where, name, given))
    return calls


def _literals(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("utter_")
    ]


def _combinations(arguments: dict[str, list[object]]) -> list[dict[str, object]]:
    names = sorted(arguments)
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(arguments[n] for n in names))
    ]


def _problems(text: str) -> list[str]:
    return [m.group() for m in _LEFTOVER.finditer(text)] + [
        m.group() for line in text.splitlines() for m in _HOLE.finditer(line)
    ]


CALLS = dispatch_calls()


def test_the_scan_finds_the_dispatch_calls() -> None:
    found = {name for _, name, _ in CALLS}
    assert {"utter_ask_reschedule_confirmed", "utter_no_slot", "utter_convocation"} <= found


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_no_dispatched_response_shows_a_placeholder(lang: str) -> None:
    bad = []
    for where, name, arguments in CALLS:
        for params in _combinations(arguments):
            # Rasa's NLG passes the slots too; an argument the call does not give comes from
            # no slot here, as in a fresh conversation.
            text = render(name, lang, params)["text"]
            missing = placeholders(RESPONSES[name].text) - {
                k for k, v in params.items() if v not in (None, "")
            }
            leftovers = _problems(text)
            if leftovers or missing - {"defenseur_phone"}:
                bad.append((where, name, params, leftovers, sorted(missing), text))
    assert not bad, "\n".join(f"{w} {n} {p} {m} {text!r}" for w, n, p, _, m, text in bad)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_routing_sentences_are_complete_for_every_demarche_and_site(lang: str) -> None:
    catalogue = get_catalogue()
    bad = []
    for demarche in catalogue.demarches.values():
        for site in (None, *catalogue.sites.values()):
            fee = fee_step(demarche)
            for step in (*next_steps(demarche, site), *([fee] if fee else [])):
                text = step.render(lang)
                if _problems(text) or not text.strip():
                    bad.append((demarche.code, site and site.code, text))
    assert not bad, bad


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_scheduler_sentences_are_complete(lang: str) -> None:
    bad = []
    for name in dir(messages):
        if not name.isupper():
            continue
        value = getattr(messages, name)
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            if not isinstance(text, str):
                continue
            params = {p: SAMPLES.get(p, TEXT) for p in placeholders(text)}
            rendered = translate(text, lang, **params)
            if _problems(rendered):
                bad.append((name, rendered))
    assert not bad, bad
