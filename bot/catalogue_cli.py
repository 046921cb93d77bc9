"""`guichet catalogue check|route|deadline`: validate the YAML and try the pure core by hand.

A CLI-layer module, not bot.catalogue's: it also drives routing and deadlines, which build on
the catalogue.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def cmd_check(args: argparse.Namespace) -> int:
    from bot.catalogue import CatalogueError, load_catalogue
    from bot.catalogue.loader import catalogue_dir

    directory = Path(args.dir) if args.dir else catalogue_dir()
    try:
        catalogue = load_catalogue(directory)
    except CatalogueError as error:
        print(f"catalogue INVALID: {error}")
        return 1
    demo = sum(
        1 for site in catalogue.sites.values() for r in site.opening_ranges if r.provenance.demo
    )
    print(
        f"catalogue OK ({directory}): {len(catalogue.demarches)} démarches, "
        f"{len(catalogue.documents)} documents, {len(catalogue.deadlines)} deadline rules, "
        f"{len(catalogue.sites)} sites ({demo} opening ranges marked demo), "
        f"{len(catalogue.departements)} départements"
    )
    return 0


def cmd_route(args: argparse.Namespace) -> int:
    from bot.routing import route

    facts = dict(item.split("=", 1) for item in args.facts)
    result = route(facts, site=args.site)
    print(f"{result.status.value}: candidates {', '.join(result.candidates) or '-'}")
    if result.question is not None:
        print(result.question.render(args.lang))
        for number, option in enumerate(result.question.options, start=1):
            print(f"  {number}. {option.render(args.lang)}    {option.payload}")
    else:
        print(result.render(args.lang))
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    from bot.deadlines import NoDeadline, assess

    try:
        result = assess(args.expiry, args.demarche, args.today or date.today())
    except (NoDeadline, KeyError) as error:
        print(error)
        return 1
    print(
        f"{result.status.value}: window {result.window_opens} → {result.window_closes}, "
        f"rights until {result.rights_end}"
    )
    print(result.render(args.lang))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    catalogue = subparsers.add_parser("catalogue", help="the démarches catalogue (data/catalogue)")
    sub = catalogue.add_subparsers(dest="catalogue_command", metavar="ACTION", required=True)
    check = sub.add_parser(
        "check", help="validate data/catalogue/*.yml (file, key and reason on error)"
    )
    check.add_argument("--dir", help="another catalogue directory")
    check.set_defaults(func=cmd_check)
    route = sub.add_parser(
        "route", help="route facts, e.g. procedure_kind=renewal title_type=etudiant"
    )
    route.add_argument("facts", nargs="*", metavar="KEY=VALUE")
    route.add_argument("--site", help="pref-24, pref-38, pref-93")
    route.add_argument("--lang", default="fr")
    route.set_defaults(func=cmd_route)
    deadline = sub.add_parser("deadline", help="filing window for an expiry date")
    deadline.add_argument("demarche")
    deadline.add_argument("expiry", type=date.fromisoformat)
    deadline.add_argument("--today", type=date.fromisoformat)
    deadline.add_argument("--lang", default="fr")
    deadline.set_defaults(func=cmd_deadline)
