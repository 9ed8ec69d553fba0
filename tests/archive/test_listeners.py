"""Listeners hear of every archive event once, inside the transaction that records it: a
rolled-back change is never heard of as committed, and what a listener writes is undone
with it."""

from __future__ import annotations

import pytest
from django.db import transaction

from balie.archive import listeners
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref


@pytest.fixture
def heard():
    batches: list[list[tuple[str, bool]]] = []

    def listener(events):
        inside = transaction.get_connection().in_atomic_block
        batches.append([(e.event_type, inside) for e in events])

    listeners.register(listener)
    yield batches
    listeners.unregister(listener)


def test_every_event_is_heard_inside_its_transaction(utrecht, heard):
    with transaction.atomic():
        record_event(
            organisation_id=utrecht.pk, event_type="test.one", payload={}, actor=actor_ref(None)
        )
    assert heard == [[("test.one", True)]]


def test_registering_twice_hears_once(utrecht, heard):
    listeners.register(listeners._listeners[-1])
    with transaction.atomic():
        record_event(
            organisation_id=utrecht.pk, event_type="test.two", payload={}, actor=actor_ref(None)
        )
    assert len(heard) == 1
