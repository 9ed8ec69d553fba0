"""Balie's generic SMS format coming in: signed with the account's secret over
"<timestamp>.<body>", each SMS stored once, long messages joined from their parts in any
order, and what never completes stored after the timeout."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from balie.connectors.models import ChannelThread, ExternalMessage
from balie.connectors.sms import joining
from balie.connectors.sms.models import SmsPart
from balie.connectors.sms.providers import generic
from balie.connectors.sms.tasks import tidy_sms
from balie.conversations.models import Channel, Direction, Message
from tests.connectors.sms.conftest import RESIDENT, SECRET, TIDY, post_generic, sms


def _inbound():
    return Message.objects.filter(direction=Direction.INBOUND)


def test_a_signed_sms_is_stored_in_the_residents_conversation(client, generic_account):
    answer = post_generic(client, generic_account, sms())
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    message = _inbound().get()
    assert message.body == "Wanneer wordt het grofvuil opgehaald?"
    conversation = message.conversation
    assert conversation.channel == Channel.SMS
    assert conversation.organisation_id == generic_account.organisation_id
    assert ChannelThread.objects.get(conversation=conversation).address == RESIDENT
    assert conversation.contact.phone == RESIDENT


def test_the_same_sms_twice_is_one_message(client, generic_account):
    for _ in range(2):
        assert post_generic(client, generic_account, sms()).status_code == 200
    assert _inbound().count() == 1
    # The resident wrote 06-… the first time and +31 6 … the next: one conversation.
    post_generic(client, generic_account, sms("m-2", "Nog iets", sender="+31 6 1234 5678"))
    assert _inbound().count() == 2
    assert _inbound().values("conversation").distinct().count() == 1


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda h: {}, id="missing"),
        pytest.param(lambda h: {**h, generic.SIGNATURE_HEADER: "0" * 64}, id="wrong"),
        pytest.param(
            lambda h: {generic.TIMESTAMP_HEADER: h[generic.TIMESTAMP_HEADER]}, id="no-sig"
        ),
        pytest.param(lambda h: {generic.SIGNATURE_HEADER: h[generic.SIGNATURE_HEADER]}, id="no-ts"),
        pytest.param(lambda h: {**h, generic.TIMESTAMP_HEADER: "1e9"}, id="odd-timestamp"),
        pytest.param(
            lambda h: {**h, generic.TIMESTAMP_HEADER: str(int(h[generic.TIMESTAMP_HEADER]) + 1)},
            id="other-timestamp",
        ),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(client, generic_account, spoil):
    body = json.dumps(sms()).encode()
    headers = spoil(generic.sign(SECRET, body))
    answer = post_generic(client, generic_account, body, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["code"] == "invalid_signature"
    assert not Message.objects.exists() and not ExternalMessage.objects.exists()


def test_another_accounts_secret_is_refused(client, generic_account):
    answer = post_generic(client, generic_account, sms(), secret="someone-elses-secret")
    assert answer.status_code == 403 and not Message.objects.exists()


def test_a_signature_over_another_body_is_refused(client, generic_account):
    headers = generic.sign(SECRET, json.dumps(sms(text="Iets anders")).encode())
    answer = post_generic(client, generic_account, sms(), headers=headers)
    assert answer.status_code == 403 and not Message.objects.exists()


@pytest.mark.parametrize("seconds", [-301, 301, -3600, 86400])
def test_an_expired_or_future_timestamp_is_refused(client, generic_account, seconds):
    now = int(timezone.now().timestamp()) + seconds
    answer = post_generic(client, generic_account, sms(), now=now)
    assert answer.status_code == 403 and not Message.objects.exists()


@pytest.mark.parametrize("seconds", [-290, 0, 290])
def test_a_timestamp_within_five_minutes_is_accepted(client, generic_account, seconds):
    now = int(timezone.now().timestamp()) + seconds
    assert post_generic(client, generic_account, sms(), now=now).status_code == 200


def test_upper_case_hex_is_the_same_signature(client, generic_account):
    body = json.dumps(sms()).encode()
    headers = generic.sign(SECRET, body)
    headers[generic.SIGNATURE_HEADER] = headers[generic.SIGNATURE_HEADER].upper()
    assert post_generic(client, generic_account, body, headers=headers).status_code == 200


def test_only_post_is_answered(client, generic_account):
    assert client.get(f"/hooks/{generic_account.public_id}/").status_code == 405


def test_an_invalid_sender_is_refused_with_a_clear_error(client, generic_account):
    answer = post_generic(client, generic_account, sms(sender="06-1234"))
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_phone_number"
    assert "from" in answer.json()["detail"]
    assert not Message.objects.exists()


def _parts(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


LONG = (
    "Goedemiddag, ik wil graag een melding doen over de lantaarnpaal voor ons huis aan de "
    "Oudegracht. Die brandt al twee weken niet meer en 's avonds is het daardoor erg donker "
    "op de stoep. Kunt u laten weten wanneer die gerepareerd wordt? Alvast bedankt!"
)


def test_parts_out_of_order_are_joined_into_one_message(client, generic_account):
    parts = _parts(LONG, 153)
    assert len(parts) == 2 or len(parts) == 3
    order = list(reversed(range(len(parts))))
    for position in order[:-1]:
        part = (42, position + 1, len(parts))
        answer = post_generic(
            client, generic_account, sms(f"p-{position}", parts[position], part=part)
        )
        assert answer.status_code == 200
        assert not Message.objects.exists()  # waiting for the rest
    last = order[-1]
    post_generic(
        client, generic_account, sms(f"p-{last}", parts[last], part=(42, last + 1, len(parts)))
    )
    assert _inbound().get().body == LONG
    assert not SmsPart.objects.exclude(text="").exists()  # texts gone once stored


def test_a_part_seen_twice_is_stored_once(client, generic_account):
    one, two = _parts(LONG[:300], 153)
    for _ in range(3):
        post_generic(client, generic_account, sms("p-1", one, part=(7, 1, 2)))
    assert SmsPart.objects.count() == 1
    # The same part under another id (a provider that numbers its retries): still once.
    post_generic(client, generic_account, sms("p-1-retry", one, part=(7, 1, 2)))
    assert SmsPart.objects.count() == 1
    post_generic(client, generic_account, sms("p-2", two, part=(7, 2, 2)))
    assert _inbound().get().body == LONG[:300]
    # And after it was stored, a late repeat of either starts nothing new.
    post_generic(client, generic_account, sms("p-2", two, part=(7, 2, 2)))
    post_generic(client, generic_account, sms("p-2-again", two, part=(7, 2, 2)))
    assert SmsPart.objects.filter(delivered_at__isnull=True).count() == 0
    assert _inbound().count() == 1


def test_parts_of_different_messages_and_residents_are_kept_apart(client, generic_account):
    post_generic(client, generic_account, sms("a1", "Eerste ", part=(1, 1, 2)))
    post_generic(
        client, generic_account, sms("b1", "Ander ", part=(1, 1, 2), sender="+32470123456")
    )
    post_generic(client, generic_account, sms("c1", "Derde ", part=(2, 1, 2)))
    post_generic(client, generic_account, sms("a2", "bericht", part=(1, 2, 2)))
    assert list(_inbound().values_list("body", flat=True)) == ["Eerste bericht"]


def test_a_single_part_message_passes_straight_through(client, generic_account):
    post_generic(client, generic_account, sms("s1", "Kort", part=(9, 1, 1)))
    assert _inbound().get().body == "Kort" and not SmsPart.objects.exists()


def test_incomplete_parts_are_stored_after_the_timeout(client, generic_account):
    post_generic(client, generic_account, sms("q1", "Begin van het bericht, ", part=(5, 1, 3)))
    post_generic(client, generic_account, sms("q3", "en het einde.", part=(5, 3, 3)))
    assert not Message.objects.exists()
    timer = DBTaskResult.objects.get(task_path=TIDY)  # one per message, with its first part
    assert timer.run_after >= timezone.now() + joining.JOIN_TIMEOUT - timedelta(seconds=5)

    assert tidy_sms.call(generic_account.pk) == 0  # too early: nothing yet
    SmsPart.objects.update(created_at=timezone.now() - joining.JOIN_TIMEOUT)
    assert tidy_sms.call(generic_account.pk) == 1
    assert _inbound().get().body == "Begin van het bericht, […] en het einde."
    assert tidy_sms.call(generic_account.pk) == 0  # stored once
    # The missing part, arriving after all, is not lost either: it starts a new message.
    post_generic(client, generic_account, sms("q2", "het midden ", part=(5, 2, 3)))
    SmsPart.objects.filter(delivered_at__isnull=True).update(
        created_at=timezone.now() - joining.JOIN_TIMEOUT
    )
    tidy_sms.call(generic_account.pk)
    assert list(_inbound().values_list("body", flat=True)) == [
        "Begin van het bericht, […] en het einde.",
        "[…] het midden […]",
    ]


def test_stored_parts_are_forgotten_after_a_day(client, generic_account):
    post_generic(client, generic_account, sms("r1", "Een ", part=(3, 1, 2)))
    post_generic(client, generic_account, sms("r2", "twee", part=(3, 2, 2)))
    assert SmsPart.objects.count() == 2
    SmsPart.objects.update(delivered_at=timezone.now() - joining.KEEP)
    tidy_sms.call(generic_account.pk)
    assert not SmsPart.objects.exists()
    assert _inbound().count() == 1


def test_a_text_longer_than_a_message_is_stored_in_order(client, generic_account, settings):
    settings.MAX_MESSAGE_CHARS = 100
    text = " ".join(["woord"] * 60)  # 359 characters
    post_generic(client, generic_account, sms("lang", text))
    bodies = list(_inbound().order_by("seq").values_list("body", flat=True))
    assert len(bodies) == 4 and all(len(b) <= 100 for b in bodies)
    assert " ".join(bodies) == text
    post_generic(client, generic_account, sms("lang", text))  # again: nothing new
    assert _inbound().count() == 4


def test_the_documented_signature_example():
    """The worked example of the SMS guide (checked there with openssl as well)."""
    body = (
        b'{"id":"gw-4711","from":"+31612345678","to":"+3197010203040",'
        b'"text":"Is het stadskantoor morgen open?","received_at":"2026-05-04T10:00:00+02:00"}'
    )
    assert generic.signature("voorbeeld-geheim", "1777881600", body) == (
        "787faa9b7531a3de49a9903f7a795f5f09640f2c78e7a0cf8f90ffaaea69c976"
    )
    assert generic.sign("voorbeeld-geheim", body, now=1777881600) == {
        "X-Balie-Timestamp": "1777881600",
        "X-Balie-Signature": "787faa9b7531a3de49a9903f7a795f5f09640f2c78e7a0cf8f90ffaaea69c976",
    }
