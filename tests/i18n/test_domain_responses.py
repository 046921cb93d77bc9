"""Every response Rasa can ask the NLG endpoint for has its sentence in bot/responses.py.

Rasa asks for a name found in the domain (`responses:`, `actions:`, forms' `utter_ask_*`), in
rules and stories, or dispatched by an action (`utter_message(response="utter_…")`). A name
missing from the registry would reach people as the "cannot answer" apology.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.responses import RESPONSES

ROOT = Path(__file__).resolve().parents[2]
_UTTER = re.compile(r"""(?<![\w.])(utter_[a-z0-9_]+)\b""")
_DISPATCHED = re.compile(r"""response\s*=\s*["'](utter_[a-z0-9_]+)["']""")
# Names Rasa knows but that are never sent to the NLG (sdk method, form-slot prefix).
_NOT_RESPONSES = {"utter_message"}


def _files(*patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


def used_response_names() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in _files(
        "domain/**/*.yml",
        "data/*.yml",
        "data/rules/**/*.yml",
        "data/stories/**/*.yml",
        "domain.yml",
    ):
        for name in _UTTER.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for path in _files("actions/**/*.py"):
        for name in _DISPATCHED.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return {
        name: where
        for name, where in used.items()
        if name not in _NOT_RESPONSES and not name.endswith("_")
    }


def test_every_response_rasa_can_ask_for_is_in_the_registry() -> None:
    missing = {
        name: sorted(where)
        for name, where in used_response_names().items()
        if name not in RESPONSES
    }
    assert not missing, f"add these to bot/responses.py RESPONSES: {missing}"


def test_the_scan_finds_dispatched_and_domain_names(tmp_path: Path) -> None:
    assert _DISPATCHED.findall('dispatcher.utter_message(response="utter_kept")') == ["utter_kept"]
    assert _UTTER.findall("  - utter_greet\nresponses:\n  utter_menu:") == [
        "utter_greet",
        "utter_menu",
    ]
