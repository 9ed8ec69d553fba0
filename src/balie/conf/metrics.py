"""Balie's Prometheus metrics: what ``/metrics`` shows (decision 0033, docs/operations.md).

Each process counts for itself (``prometheus_client``'s default registry, no multiprocess
mode): every ``balie serve`` node is scraped on its own. Counters and histograms are updated
on the hot path and cost a lock and an addition; nothing here touches the database, except
the gauges read when Prometheus scrapes, which the layers above register with
:data:`AT_SCRAPE` (one aggregate query each; ``web.health``).

Labels name kinds of things, never an organisation, a person or a conversation: a label
value is one of a few fixed words (cardinality, and nothing tenant-identifying leaves
through the metrics).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from balie.conf import lifecycle

logger = logging.getLogger(__name__)

# No "<name>_created" series beside every counter and histogram: twice the series for a
# start time Prometheus does not need (it sees restarts as counter resets).
disable_created_metrics()

# 1 ms to 5 s: a fan-out or a batch beyond that is an outage, not a slow path.
SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)  # 200 is the group commit's MAX_BATCH

SOCKET_KINDS = ("resident", "agent", "woo_review")
# handoff: a batch's commit → its events handed to the channel layer (realtime.batching);
# publish and deliver: the layer's own stages (realtime.layers).
FANOUT_STAGES = ("handoff", "publish", "deliver")

MESSAGES_PERSISTED = Counter(
    "balie_messages_persisted",
    "Messages stored by the send path (sockets, API, console, channels' webhooks), counted "
    "after commit; an idempotent resend is not counted, nor are imported chat exports.",
)
BATCH_SIZE = Histogram(
    "balie_batch_size",
    "Items per group-commit batch (one transaction), per writer.",
    ["writer"],
    buckets=BATCH_SIZES,
)
BATCH_SECONDS = Histogram(
    "balie_batch_seconds",
    "Time from a group-commit batch's start to its committed outcomes (thread hop, "
    "transaction, and writing its items one by one after a failed batch), per writer.",
    ["writer"],
    buckets=SECONDS,
)
FANOUT_SECONDS = Histogram(
    "balie_fanout_seconds",
    "Fan-out latency per stage: handoff (commit to events handed to the channel layer), "
    "publish and deliver (the channel layer's).",
    ["stage"],
    buckets=SECONDS,
)
OPEN_SOCKETS = Gauge(
    "balie_open_sockets",
    "Accepted WebSockets open in this process, per kind (resident, agent, woo_review).",
    ["kind"],
)
for _kind in SOCKET_KINDS:
    OPEN_SOCKETS.labels(kind=_kind)  # shown as 0 before the first socket
for _stage in FANOUT_STAGES:
    FANOUT_SECONDS.labels(stage=_stage)

# One gauge read at scrape time: ((label values, value), ...)
Read = Callable[[], Iterable[tuple[tuple[str, ...], float]]]


def observe_batch(writer: str, size: int, seconds: float) -> None:
    """A group-commit batch of ``size`` items took ``seconds`` to commit."""
    BATCH_SIZE.labels(writer=writer).observe(size)
    BATCH_SECONDS.labels(writer=writer).observe(seconds)


class AtScrape(Collector):
    """Gauges computed when Prometheus scrapes, not kept up to date on the hot path.

    ``balie_draining`` is this process's own; the layers above register the others
    (:meth:`gauge`), so that this module needs none of their models. A gauge whose
    reading fails (the database down) is left out of that scrape and logged; the others
    are still shown."""

    def __init__(self) -> None:
        self._gauges: dict[str, tuple[str, tuple[str, ...], Read, float]] = {}
        self._readings: dict[str, tuple[float, list]] = {}  # name: (read at, values)

    def gauge(
        self,
        name: str,
        documentation: str,
        labels: tuple[str, ...],
        read: Read,
        *,
        max_age: float = 0.0,
    ) -> None:
        """Register (or replace) gauge ``name``, read by ``read()`` at a scrape; a reading
        is used again for ``max_age`` seconds (for a query too costly for every scrape)."""
        self._gauges[name] = (documentation, labels, read, max_age)
        self._readings.pop(name, None)

    def forget(self) -> None:
        """Read every gauge again at the next scrape (tests)."""
        self._readings.clear()

    def _read(self, name: str, read: Read, max_age: float) -> list:
        now = time.monotonic()
        kept = self._readings.get(name)
        if kept is not None and now - kept[0] < max_age:
            return kept[1]
        values = list(read())
        if max_age:
            self._readings[name] = (now, values)
        return values

    def describe(self) -> list:
        return []  # nothing is read when registering; names are checked by the tests

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "balie_draining",
            "1 while this process drains before it exits (/readyz answers 503), else 0.",
            value=1 if lifecycle.is_draining() else 0,
        )
        for name, (documentation, labels, read, max_age) in list(self._gauges.items()):
            family = GaugeMetricFamily(name, documentation, labels=list(labels))
            try:
                for values, value in self._read(name, read, max_age):
                    family.add_metric(list(values), value)
            except Exception as error:  # a scrape shows what it can
                logger.warning(
                    "metric not read", extra={"metric": name, "error": type(error).__name__}
                )
                continue
            yield family


AT_SCRAPE = AtScrape()
REGISTRY.register(AT_SCRAPE)

__all__ = [
    "AT_SCRAPE",
    "BATCH_SECONDS",
    "BATCH_SIZE",
    "FANOUT_SECONDS",
    "FANOUT_STAGES",
    "MESSAGES_PERSISTED",
    "OPEN_SOCKETS",
    "SOCKET_KINDS",
    "observe_batch",
]
