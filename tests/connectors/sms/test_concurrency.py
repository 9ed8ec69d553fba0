"""Parts that arrive at the same moment, each in its own request and transaction: the last
two of a message still join into one, and one part delivered twice at once is kept once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection

from balie.connectors.sms import joining
from balie.connectors.sms.models import SmsPart
from balie.connectors.sms.providers.base import InboundSms, Part
from balie.conversations.models import Direction, Message
from tests.connectors.sms.conftest import RESIDENT


def _concurrently(targets) -> list:
    results: list = []
    errors: list = []
    barrier = threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _part(account, external_id, text, index, total=2, ref=77):
    sms = InboundSms(external_id, RESIDENT, text, part=Part(ref, index, total))
    return lambda: joining.do_receive_sms(account, sms)


@pytest.mark.django_db(transaction=True)
def test_the_last_parts_arriving_together_still_join(generic_account, monkeypatch):
    enqueue = joining.tidy_later

    def slowly(*args):  # widen the moment between storing a part and counting the parts
        time.sleep(0.2)
        enqueue(*args)

    monkeypatch.setattr(joining, "tidy_later", slowly)
    for round_number in range(3):
        ref = 100 + round_number
        _concurrently([
            _part(generic_account, f"{ref}-1", "Eerste helft, ", 1, ref=ref),
            _part(generic_account, f"{ref}-2", "tweede helft.", 2, ref=ref),
        ])  # fmt: skip
    bodies = list(
        Message.objects.filter(direction=Direction.INBOUND).values_list("body", flat=True)
    )
    assert bodies == ["Eerste helft, tweede helft."] * 3
    assert not SmsPart.objects.filter(delivered_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_one_part_delivered_twice_at_once_is_kept_once(generic_account):
    _concurrently([_part(generic_account, "dup-1", "Eerste helft, ", 1) for _ in range(4)])
    assert SmsPart.objects.count() == 1
    joining.do_receive_sms(
        generic_account, InboundSms("dup-2", RESIDENT, "tweede helft.", part=Part(77, 2, 2))
    )
    assert Message.objects.get().body == "Eerste helft, tweede helft."
