"""Property: with the real Rasa model, every message gets a non-empty reply (but after STOP),
whatever real-style sequence of French, English and Arabic messages a fresh number sends
(the messages of benchmarks/resilience.py, which plays ≥ 10,000 of them)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.resilience import MESSAGES, STOP, dead_turns
from tests.support.stack import Phone, stack_with_fakes

pytestmark = pytest.mark.rasa

NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("property")) as running:
        running[1].start()
        yield running


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from((*MESSAGES, STOP)), min_size=1, max_size=4))
def test_every_message_gets_a_reply_but_after_stop(stack, sequence):
    settings_, _rasa, gateway, twilio, _telegram = stack
    phone = Phone(gateway, settings_.public_url, f"+3361{4000000 + next(NUMBERS):07d}")
    # A turn slower than the inline deadline (a loaded CI machine) is answered through the
    # REST API: that reply counts, no reply at all does not.
    assert dead_turns(phone, sequence, twilio) == [], sequence
