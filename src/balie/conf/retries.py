"""How long a task waits before trying an external service again.

Every task that talks to a service Balie does not run (a channel, the publicatiebank, Open
Klant, a webhook receiver) retries a failure that may pass with a pause that doubles each
time up to a cap, of which a random half ("equal jitter"), so that many retries after one
outage do not arrive together.
"""

from __future__ import annotations

import datetime
import random

__all__ = ["backoff"]


def backoff(attempts: int, *, base: float, cap: float) -> datetime.timedelta:
    """The pause after ``attempts`` failed attempts: ``base`` seconds doubling up to ``cap``,
    of which a random half."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return datetime.timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))
