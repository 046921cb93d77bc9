from __future__ import annotations

from dataclasses import replace

import pytest

from bot.cli import main
from bot.simulation.population import Params
from bot.simulation.release import simulate

SMALL = Params(seed=3, weeks=2, humans_per_week=20, initial_backlog=15, bots=2,
               identities_per_bot=4, horizon_days=14, rights_days=(5, 30))


@pytest.mark.parametrize("policy", ["fcfs", "waitlist"])
def test_same_seed_same_figures_other_seed_other_figures(policy):
    first, again = simulate(SMALL, policy), simulate(SMALL, policy)
    assert first == again
    assert first.places_taken > 0 and first.humans_due > 0
    # 2 weeks of Monday-Friday 9h-12h, 20-minute slots, 1 guichet: at most 90 appointments.
    assert first.places_taken <= 90
    # The engine's cooldown after an appointment: one appointment per bot identity at most.
    assert 0 < first.bot_places <= first.bot_identities
    other = simulate(replace(SMALL, seed=4), policy)
    assert other != first


def test_without_the_engine_cooldown_bot_identities_cycle():
    # The same population with the rule off: identities book again after each appointment.
    cycling = simulate(replace(SMALL, rebook_cooldown_days=0), "fcfs")
    assert cycling.bot_places > cycling.bot_identities


def test_cli_prints_both_policies(capsys):
    assert main(["simulate", "release", "--seed", "3", "--weeks", "1", "--humans-per-week", "20",
                 "--initial-backlog", "10", "--bots", "1", "--identities-per-bot", "3"]) == 0
    out = capsys.readouterr().out
    assert "share taken by bots" in out and "humans served before rights expire" in out
    assert "fcfs" in out and "waitlist" in out
