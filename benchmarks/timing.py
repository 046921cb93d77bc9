"""The figures every benchmark prints: a median cost and a percentile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_us(action: Callable[[], object], repeat: int) -> float:
    """The median cost of one call of `action`, in microseconds, over `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank; 0.95 = p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
