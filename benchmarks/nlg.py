"""`guichet bench nlg`: what rendering costs per Rasa response, and loading the catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from benchmarks.timing import median_us
from bot.gateway.nlg import generate
from bot.i18n import (
    SUPPORTED_LANGUAGES,
    _translations_from_po,
    mo_path,
    po_path,
    reload_translations,
)


def _load_mo(path: Path) -> Translations:
    with path.open("rb") as handle:
        return Translations(fp=handle)


def run_benchmark() -> None:
    tracker = {
        "slots": {"language": None, "when": "2025-01-14T13:20:00+00:00", "code": "K7P2QX4M"},
        "latest_message": {"metadata": {"channel": "sms"}},
    }
    for lang in SUPPORTED_LANGUAGES:
        tracker["slots"]["language"] = lang
        body = {"response": "utter_help", "arguments": {}, "tracker": tracker}
        print(
            f"    generate utter_help [{lang}, sms]: median {median_us(lambda body=body: generate(body), 2000):.0f} µs"
        )
    reload_translations()
    for lang in SUPPORTED_LANGUAGES[1:]:
        cold_po = median_us(lambda lang=lang: _translations_from_po(po_path(lang)), repeat=20)
        mo = mo_path(lang)
        if mo.exists():
            from_mo = median_us(lambda mo=mo: _load_mo(mo), repeat=20)
            print(f"    load {lang} catalogue from .mo: median {from_mo / 1000:.2f} ms")
        print(f"    load {lang} catalogue from .po (no .mo): median {cold_po / 1000:.1f} ms")
