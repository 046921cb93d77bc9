"""`guichet simulate release`: the fairness figures of both release policies for one seed."""

from __future__ import annotations

import argparse
import time
from dataclasses import fields

from bot.simulation.population import Params
from bot.simulation.release import POLICIES, simulate
from bot.simulation.results import PolicyResult


def table(results: list[PolicyResult]) -> str:
    def pct(value: float) -> str:
        return f"{100 * value:.1f} %"

    rows = [
        ("places taken (appointments held)", [str(r.places_taken) for r in results]),
        ("share taken by bots", [pct(r.bot_share) for r in results]),
        ("bots' share of the population", [pct(r.bot_population_share) for r in results]),
        (
            "bots' share of waitlist requests",
            ["-" if r.bot_request_share is None else pct(r.bot_request_share) for r in results],
        ),
        (
            "humans served before rights expire",
            [
                f"{pct(r.served_in_time_share)} ({r.humans_served_in_time}/{r.humans_due})"
                for r in results
            ],
        ),
        (
            "median wait of humans (days)",
            ["-" if r.median_wait_days is None else f"{r.median_wait_days:.1f}" for r in results],
        ),
        (
            "bot identities that held a place",
            [
                f"{pct(r.bot_identities_served / r.bot_identities) if r.bot_identities else '-'} "
                f"({r.bot_identities_served}/{r.bot_identities})"
                for r in results
            ],
        ),
        (
            "humans who held a place",
            [
                f"{pct(r.humans_served / r.humans) if r.humans else '-'} ({r.humans_served}/{r.humans})"
                for r in results
            ],
        ),
        ("refusals to bot identities", [str(r.bot_refusals) for r in results]),
        (
            "humans there from the start who held a place",
            [f"{r.humans_at_start_served}/{r.humans_at_start}" for r in results],
        ),
        ("places lost to no-shows", [str(r.no_shows) for r in results]),
        ("places never used", [str(r.places_unused) for r in results]),
    ]
    width = max(len(label) for label, _ in rows)
    header = " " * width + "  " + "".join(f"{r.policy:>18}" for r in results)
    lines = [header] + [
        label.ljust(width) + "  " + "".join(f"{v:>18}" for v in values) for label, values in rows
    ]
    return "\n".join(lines)


def cmd_release(args: argparse.Namespace) -> int:
    params = Params(
        **{
            f.name: getattr(args, f.name)
            for f in fields(Params)
            if getattr(args, f.name, None) is not None
        }
    )
    results = []
    for policy in args.policies or POLICIES:
        started = time.perf_counter()
        print(f"simulating {policy} ({params.weeks} weeks, seed {params.seed})…", flush=True)
        results.append(simulate(params, policy))
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    print(table(results))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    simulate_parser = subparsers.add_parser("simulate", help="simulations (fairness of release)")
    kinds = simulate_parser.add_subparsers(dest="simulation", metavar="SIMULATION", required=True)
    release = kinds.add_parser(
        "release", help="FCFS search-and-book vs push waitlist, humans vs resale bots"
    )
    defaults = Params()
    release.add_argument("--seed", type=int, default=defaults.seed)
    release.add_argument("--weeks", type=int, default=defaults.weeks)
    release.add_argument("--humans-per-week", dest="humans_per_week", type=int)
    release.add_argument("--initial-backlog", dest="initial_backlog", type=int)
    release.add_argument("--bots", type=int)
    release.add_argument("--identities-per-bot", dest="identities_per_bot", type=int)
    release.add_argument("--bot-poll-seconds", dest="bot_poll_seconds", type=float)
    release.add_argument("--guichets", type=int)
    release.add_argument(
        "--rebook-cooldown-days",
        dest="rebook_cooldown_days",
        type=int,
        help="the engine's cooldown after an appointment (0: none)",
    )
    release.add_argument(
        "--bots-lie",
        dest="bots_lie",
        action="store_true",
        default=None,
        help="nobody checks the declared rights-end date: bots claim tomorrow",
    )
    release.add_argument(
        "--bots-at-start",
        dest="bots_at_start",
        action="store_true",
        default=None,
        help="every bot identity is there on day 0 (default: they come over "
        "the weeks, like the clients whose titles they are)",
    )
    release.add_argument(
        "--policy",
        dest="policies",
        action="append",
        choices=POLICIES,
        help="only this policy (repeatable)",
    )
    release.set_defaults(func=cmd_release)
