"""Durations in histograms: how the dashboard's daily summary (``models.DayFigures``) keeps
seconds, and how a median or p90 is read back from it.

A duration of s seconds falls in bucket 0 when s < 1, else in bucket ``1 + ⌊ln s / ln R⌋``
with R = 1.05: bucket b ≥ 1 holds [R^(b−1), R^b). A bucket stands for the geometric middle
of its bounds, so any duration is read back within ±2.5 % of its true value (sub-second:
0). A percentile follows the same rule as the exact figures (``statistics``): for n values
in ascending order, p lies at position h = p·(n−1), interpolated linearly between the values
at ⌊h⌋ and ⌊h⌋+1 — here the buckets' values. Pure functions, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

__all__ = [
    "RATIO",
    "add",
    "bucket_of",
    "merged",
    "percentile",
    "seconds_between",
    "value_of",
]

RATIO = 1.05
_LOG = math.log(RATIO)


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds, each moment truncated to its second (as ``statistics`` counts)."""
    return int(end.timestamp() // 1) - int(start.timestamp() // 1)


def bucket_of(seconds: float) -> int:
    if seconds < 1:
        return 0
    return 1 + int(math.log(seconds) / _LOG)


def value_of(bucket: int) -> float:
    """The duration a bucket stands for: the geometric middle of its bounds."""
    if bucket <= 0:
        return 0.0
    return RATIO ** (bucket - 0.5)


def add(histogram: dict[str, int], seconds: float) -> None:
    """Count one duration (keys are text: the histograms are stored as JSON)."""
    key = str(bucket_of(seconds))
    histogram[key] = histogram.get(key, 0) + 1


def merged(histograms: Iterable[Mapping[str, int]]) -> dict[int, int]:
    total: dict[int, int] = {}
    for histogram in histograms:
        for key, count in histogram.items():
            bucket = int(key)
            total[bucket] = total.get(bucket, 0) + count
    return total


def percentile(histogram: Mapping[int, int], p: float) -> float:
    """The p-th percentile (0 ≤ p ≤ 1) of the durations counted in ``histogram``; 0 when
    it is empty."""
    n = sum(histogram.values())
    if n == 0:
        return 0.0
    h = p * (n - 1)
    low_rank = int(h)
    low = high = None
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if low is None and seen > low_rank:
            low = value_of(bucket)
        if seen > low_rank + 1 or (seen == n and low is not None):
            high = value_of(bucket)
            break
    assert low is not None and high is not None
    return low + (high - low) * (h - low_rank)
