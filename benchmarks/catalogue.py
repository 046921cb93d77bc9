"""`guichet bench catalogue`: what loading the catalogue and the pure core's answers cost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from benchmarks.timing import median_us


def run_benchmark() -> None:
    from bot.catalogue import get_catalogue, load_catalogue, resolve_site
    from bot.catalogue.loader import catalogue_dir
    from bot.deadlines import assess
    from bot.routing import route

    directory = catalogue_dir()
    load = median_us(lambda: load_catalogue(directory), 9)
    print(f"    load + validate data/catalogue (7 files): median {load / 1000:.1f} ms", flush=True)
    catalogue = get_catalogue()
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("route({}) → first question", lambda: route({}, catalogue=catalogue), 300),
        (
            "route(renewal) → title question",
            lambda: route({"procedure_kind": "renewal"}, catalogue=catalogue),
            300,
        ),
        (
            "route(renewal, carte_resident) @pref-38 → next steps",
            lambda: route(
                {"procedure_kind": "renewal", "title_type": "carte_resident"}, "pref-38", catalogue
            ),
            300,
        ),
        ("resolve_site('38000')", lambda: resolve_site("38000", catalogue), 1000),
        (
            "resolve_site('j'habite à Grenoble')",
            lambda: resolve_site("j'habite à Grenoble", catalogue),
            1000,
        ),
        (
            "assess(expiry, carte_resident_renouvellement)",
            lambda: assess(
                date(2025, 5, 31), "carte_resident_renouvellement", date(2025, 4, 1), catalogue
            ),
            1000,
        ),
    ]
    for label, func, repeat in cases:
        print(f"    {label}: median {median_us(func, repeat):.1f} µs", flush=True)
