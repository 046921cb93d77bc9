"""`guichet bench resilience` in small (issue 13): from one run, forged and fuzzed requests,
a gateway process SIGTERMed mid-burst of signed SMS and started again, one sender's messages
alternately to two gateway processes, random conversations — every count 0 but the attempts.
Real Rasa, action server and gateway processes; the full figures are the benchmark's."""

from __future__ import annotations

import pytest

from benchmarks.resilience import SMOKE, resilience_counts

pytestmark = pytest.mark.rasa


def test_every_resilience_count_is_zero_on_a_small_run():
    counts = resilience_counts(SMOKE)
    assert [count.label for count in counts if count.tried == 0] == []
    assert [count.line() for count in counts if count.failed] == []
