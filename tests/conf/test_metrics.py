"""The metric objects and the scrape-time gauges (``balie.conf.metrics``): named ``balie_*``
with a help text, read at scrape time without touching what failed."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from balie.conf import lifecycle, metrics
from balie.conf.metrics import AtScrape


def _value(name: str, labels: dict | None = None) -> float | None:
    return metrics.REGISTRY.get_sample_value(name, labels or {})


def test_every_metric_is_named_balie_and_has_a_help_text():
    text = generate_latest(metrics.REGISTRY).decode()
    for name, kind in [
        ("balie_messages_persisted_total", "counter"),
        ("balie_batch_size", "histogram"),
        ("balie_batch_seconds", "histogram"),
        ("balie_fanout_seconds", "histogram"),
        ("balie_open_sockets", "gauge"),
        ("balie_draining", "gauge"),
    ]:
        assert f"# TYPE {name} {kind}" in text
        help_line = next(line for line in text.splitlines() if line.startswith(f"# HELP {name} "))
        assert len(help_line) > len(f"# HELP {name} ") + 20


def test_no_created_series_doubles_the_counters():
    assert "_created" not in generate_latest(metrics.REGISTRY).decode()


def test_socket_kinds_and_fanout_stages_are_shown_before_the_first_event():
    text = generate_latest(metrics.REGISTRY).decode()
    for kind in metrics.SOCKET_KINDS:
        assert f'balie_open_sockets{{kind="{kind}"}}' in text
    for stage in ("handoff", "publish", "deliver"):
        assert f'balie_fanout_seconds_count{{stage="{stage}"}}' in text


def test_fanout_buckets_run_from_a_millisecond_to_five_seconds():
    metrics.FANOUT_SECONDS.labels(stage="publish").observe(0.0004)
    assert _value("balie_fanout_seconds_bucket", {"stage": "publish", "le": "0.001"}) >= 1
    assert _value("balie_fanout_seconds_bucket", {"stage": "publish", "le": "5.0"}) is not None


def test_a_batch_is_observed_per_writer():
    before = _value("balie_batch_size_sum", {"writer": "unit"}) or 0
    count = _value("balie_batch_seconds_count", {"writer": "unit"}) or 0
    metrics.observe_batch("unit", 7, 0.003)
    assert _value("balie_batch_size_sum", {"writer": "unit"}) == before + 7
    assert _value("balie_batch_seconds_count", {"writer": "unit"}) == count + 1
    assert _value("balie_batch_size_bucket", {"writer": "unit", "le": "5.0"}) == 0


@pytest.fixture
def draining():
    lifecycle.start_draining()
    yield
    lifecycle.reset()


def test_draining_is_0_while_serving():
    assert _value("balie_draining") == 0


def test_draining_is_1_while_draining(draining):
    assert _value("balie_draining") == 1


def _registry_with(collector: AtScrape) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(collector)
    return registry


def test_a_gauge_is_read_at_each_scrape():
    readings = iter([[(("default",), 3)], [(("default",), 5)]])
    collector = AtScrape()
    collector.gauge("balie_unit_depth", "A unit test's depth.", ("queue",), lambda: next(readings))
    registry = _registry_with(collector)
    assert registry.get_sample_value("balie_unit_depth", {"queue": "default"}) == 3
    assert registry.get_sample_value("balie_unit_depth", {"queue": "default"}) == 5


def test_a_reading_is_kept_for_max_age_and_forgotten_on_request():
    calls = []

    def read():
        calls.append(1)
        return [(("sms",), len(calls))]

    collector = AtScrape()
    collector.gauge("balie_unit_failed", "Failed.", ("channel",), read, max_age=3600)
    registry = _registry_with(collector)
    assert registry.get_sample_value("balie_unit_failed", {"channel": "sms"}) == 1
    assert registry.get_sample_value("balie_unit_failed", {"channel": "sms"}) == 1
    collector.forget()
    assert registry.get_sample_value("balie_unit_failed", {"channel": "sms"}) == 2


def test_a_gauge_that_cannot_be_read_is_left_out_and_the_others_shown(caplog):
    def broken():
        raise ConnectionError("database gone")

    collector = AtScrape()
    collector.gauge("balie_unit_broken", "Broken.", ("queue",), broken)
    collector.gauge("balie_unit_fine", "Fine.", ("queue",), lambda: [(("default",), 1)])
    text = generate_latest(_registry_with(collector)).decode()
    assert "balie_unit_broken" not in text
    assert 'balie_unit_fine{queue="default"} 1.0' in text
    assert "balie_draining 0.0" in text
    assert [r.getMessage() for r in caplog.records] == ["metric not read"]
    assert "database gone" not in caplog.text  # the error's type only
