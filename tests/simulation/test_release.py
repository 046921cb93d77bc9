from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.cli import main
from bot.simulation.population import Params, make_population
from bot.simulation.release import simulate
from bot.simulation.world import START

SMALL = Params(
    seed=3,
    weeks=2,
    humans_per_week=20,
    initial_backlog=15,
    bots=2,
    identities_per_bot=4,
    horizon_days=14,
    rights_days=(5, 30),
)


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
    # Identities there from day 0 and four weeks, so that each has time for two appointments.
    cycling = simulate(replace(SMALL, weeks=4, rebook_cooldown_days=0, bots_at_start=True), "fcfs")
    assert cycling.bot_places > cycling.bot_identities


def test_cli_prints_both_policies(capsys):
    assert (
        main(
            [
                "simulate",
                "release",
                "--seed",
                "3",
                "--weeks",
                "1",
                "--humans-per-week",
                "20",
                "--initial-backlog",
                "10",
                "--bots",
                "1",
                "--identities-per-bot",
                "3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "share taken by bots" in out and "humans served before rights expire" in out
    assert "fcfs" in out and "waitlist" in out


def test_the_push_waitlist_beats_the_race_for_humans_and_against_bots():
    # Six weeks, the default population (seed 1): the engine, not the simulator, decides.
    fcfs, pushed = simulate(Params(seed=1), "fcfs"), simulate(Params(seed=1), "waitlist")
    assert fcfs.bot_population_share == pushed.bot_population_share
    assert pushed.bot_share < fcfs.bot_share
    assert fcfs.bot_share > fcfs.bot_population_share  # polling every few seconds pays off
    assert pushed.served_in_time_share > fcfs.served_in_time_share


def test_bot_identities_come_over_the_weeks_unless_told_otherwise():
    params = Params(seed=2)
    spread = [a for a in make_population(params, START, random.Random(2)) if a.kind == "bot"]
    stock = [
        a
        for a in make_population(replace(params, bots_at_start=True), START, random.Random(2))
        if a.kind == "bot"
    ]
    assert len(spread) == len(stock) == params.bots * params.identities_per_bot
    assert all(a.arrival == START for a in stock)
    end = START + timedelta(weeks=params.weeks)
    assert all(START <= a.arrival < end for a in spread)
    late = [a for a in spread if a.arrival > START]
    # As many at the start, in proportion, as the humans' backlog (80 of 440): most come later.
    assert len(spread) / 2 < len(late) < len(spread)
