"""The connector core with a stand-in channel (Telegram's kind, which has no adapter): the
same inbound twice is one message; a resident's messages share a conversation until it is
closed; attachments go through the upload checks; outbound goes through the delivery task
to the connector; status reports in any order; webhooks reach the right account only;
channel accounts keep their secrets sealed; roles and tenants."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.archive.models import ArchiveEvent
from balie.connectors import accounts
from balie.connectors.inbound import (
    EARLY_REPORT_DAYS,
    Inbound,
    InboundFile,
    do_channel_status,
    do_prune_early_reports,
    do_receive,
    do_receive_many,
)
from balie.connectors.models import ChannelAccount, ChannelThread, EarlyReport, ExternalMessage
from balie.conversations import actions, tasks
from balie.conversations.models import Channel, Conversation, DeliveryStatus, Direction, Message
from balie.errors import BalieError
from balie.records.permissions import RecordsNotAllowed
from tests.connectors.conftest import SECRET
from tests.factories import send
from tests.web.test_resident_files import png_bytes


def test_the_same_inbound_twice_is_one_message(account):
    first = do_receive(account, Inbound("m-1", "resident-7", "Wanneer is de kermis?"))
    again = do_receive(account, Inbound("m-1", "resident-7", "Wanneer is de kermis?"))
    assert first.pk == again.pk
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    conversation = first.conversation
    assert conversation.channel == Channel.TELEGRAM and conversation.team is not None
    assert ArchiveEvent.objects.filter(event_type="message.created").count() <= 1


def test_a_residents_messages_share_a_conversation_until_it_is_closed(account, agent_anna):
    one = do_receive(account, Inbound("m-1", "resident-7", "Vraag"))
    two = do_receive(account, Inbound("m-2", "resident-7", "Nog een vraag"))
    other = do_receive(account, Inbound("m-3", "resident-8", "Andere inwoner"))
    assert one.conversation_id == two.conversation_id != other.conversation_id
    actions.do_change_status(one.conversation, actor=agent_anna, status="closed")
    three = do_receive(account, Inbound("m-4", "resident-7", "Weer een vraag"))
    assert three.conversation_id != one.conversation_id
    assert ChannelThread.objects.filter(address="resident-7").count() == 2


def test_a_reply_by_thread_lands_in_its_conversation(account):
    first = do_receive(account, Inbound("<a@x>", "a@example.nl", "Eerste mail"))
    reply = do_receive(
        account, Inbound("<b@x>", "other@example.nl", "Antwoord", thread=("<a@x>", "<zz@x>"))
    )
    assert reply.conversation_id == first.conversation_id


def test_files_go_through_the_upload_checks(account):
    png = png_bytes()
    message = do_receive(
        account,
        Inbound("m-9", "resident-7", "Foto en iets raars",
                files=(InboundFile("foto.png", png), InboundFile("virus.exe", b"MZ\x90\x00"))),
    )  # fmt: skip
    assert [a.filename for a in message.attachments.all()] == ["foto.png"]
    assert "virus.exe" in message.body


def test_files_over_the_unsent_quota_are_named_and_the_message_kept(account, settings):
    settings.LIMIT_UNSENT_UPLOAD_BYTES = len(png_bytes()) + 10  # room for one file
    message = do_receive(
        account,
        Inbound("m-q", "resident-7", "Twee foto's",
                files=(InboundFile("een.png", png_bytes()), InboundFile("twee.png", png_bytes()))),
    )  # fmt: skip
    assert [a.filename for a in message.attachments.all()] == ["een.png"]
    assert "twee.png" in message.body


def test_a_batch_stores_each_message_once_and_a_subject_once(account):
    outcomes = do_receive_many(
        account,
        [
            Inbound("b-1", "a@example.nl", "Eerste", subject="  Paspoort   aanvragen "),
            Inbound("b-2", "a@example.nl", "Tweede", subject="Iets anders"),
            Inbound("b-1", "a@example.nl", "Eerste"),  # the same id again in the batch
            Inbound("b-3", "b@example.nl", "Derde", subject="x" * 500),
        ],
    )
    assert [o.created for o in outcomes] == [True, True, False, True]
    assert outcomes[0].message.pk == outcomes[2].message.pk
    first, third = outcomes[0].message.conversation, outcomes[3].message.conversation
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.subject == "Paspoort aanvragen"  # the first subject, not the later one
    assert third.subject == "x" * 200
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 3
    assert do_receive_many(account, []) == []


def test_a_report_that_overtakes_the_delivery_task_is_applied_later(account, agent_anna):
    inbound = do_receive(account, Inbound("m-1", "resident-7", "Vraag"))
    reply = send(inbound.conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    # The channel reports "delivered" before the task stored the id it got back.
    assert not do_channel_status(account, f"out-{reply.pk}", "delivered")
    assert EarlyReport.objects.filter(external_id=f"out-{reply.pk}").exists()
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.DELIVERED
    assert not EarlyReport.objects.exists()
    # A report on an id never sent from Balie is kept a week, then removed.
    do_channel_status(account, "sent-elsewhere", "read")
    assert do_prune_early_reports() == 0
    later = timezone.now() + timedelta(days=EARLY_REPORT_DAYS, minutes=1)
    assert do_prune_early_reports(later) == 1


def test_outbound_reaches_the_connector_and_reports_come_in_any_order(
    account, agent_anna, stand_in
):
    inbound = do_receive(account, Inbound("m-1", "resident-7", "Vraag"))
    reply = send(inbound.conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    assert stand_in.sent == [("resident-7", "Antwoord")]
    assert do_channel_status(account, f"out-{reply.pk}", "read")
    assert not do_channel_status(account, f"out-{reply.pk}", "delivered")
    assert not do_channel_status(account, "unknown", "read")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.READ


def test_a_refusing_channel_fails_the_message_visibly(account, agent_anna, stand_in):
    inbound = do_receive(account, Inbound("m-1", "resident-7", "Vraag"))
    stand_in.fail = tasks.DeliveryFailed("blocked", "user blocked the bot", retryable=False)
    reply = send(inbound.conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.FAILED
    reply.refresh_from_db()
    assert reply.delivery_error == "blocked: user blocked the bot"
    accounts.do_update_channel(account, actor=None, enabled=False)
    stand_in.fail = None
    actions.do_retry_delivery(reply, actor=agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.FAILED
    reply.refresh_from_db()
    assert reply.delivery_error == "channel_disabled"


def test_webhooks_reach_only_their_account(client, account, groningen):
    url = f"/hooks/{account.public_id}/"
    body = json.dumps({"id": "w-1", "from": "resident-9", "text": "Hallo"})
    refused = client.post(url, body, content_type="application/json", HTTP_X_TOKEN="wrong")
    assert refused.status_code == 401 and not Message.objects.exists()
    for _ in range(2):
        ok = client.post(url, body, content_type="application/json", HTTP_X_TOKEN=SECRET)
        assert ok.status_code == 200
    assert Message.objects.count() == 1
    assert Message.objects.get().organisation_id == account.organisation_id
    assert (
        client.post("/hooks/not-a-channel/", body, content_type="application/json").status_code
        == 404
    )
    accounts.do_update_channel(account, actor=None, enabled=False)
    assert (
        client.post(url, body, content_type="application/json", HTTP_X_TOKEN=SECRET).status_code
        == 404
    )
    # Another method is refused before any account is looked up: the same for every id.
    assert client.put(f"/hooks/{account.public_id}/").status_code == 405
    assert client.put("/hooks/not-a-channel/").status_code == 405


def test_secrets_are_sealed_and_never_shown(account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM connectors_channelaccount")
        (raw,) = cursor.fetchone()
    assert SECRET not in str(raw)
    assert accounts.secret_of(account, "token") == SECRET
    view = accounts.account_view(account)
    assert view["secrets"] == {"token": True} and SECRET not in json.dumps(view, default=str)
    assert view["webhook_url"].endswith(f"/hooks/{account.public_id}/")
    events = ArchiveEvent.objects.filter(event_type__startswith="channel.")
    assert events.exists() and all(SECRET not in json.dumps(e.payload) for e in events)


def test_bad_settings_and_roles(utrecht, stand_in, agent_anna, groningen):
    with pytest.raises(BalieError, match="bot"):
        accounts.do_add_channel(utrecht.pk, actor=None, kind="telegram", name="x",
                                settings={}, secrets={"token": "t"})  # fmt: skip
    with pytest.raises(BalieError):
        accounts.do_add_channel(utrecht.pk, actor=None, kind="fax", name="x", settings={},
                                secrets={})  # fmt: skip
    with pytest.raises(BalieError, match="Onbekend veld|Unknown field"):
        extra = {"bot": "b", "x": "1"}
        accounts.do_add_channel(utrecht.pk, actor=None, kind="telegram", name="x",
                                settings=extra, secrets={"token": "t"})  # fmt: skip
    with pytest.raises(RecordsNotAllowed):
        accounts.do_add_channel(utrecht.pk, actor=agent_anna, kind="telegram", name="x",
                                settings={"bot": "b"}, secrets={"token": "t"})  # fmt: skip
    admin = do_create_staff_user(username="admin_greet", password="correct-horse-battery-9")
    do_set_membership(admin, groningen, Role.ADMIN)
    with pytest.raises(RecordsNotAllowed):  # an administrator of another organisation
        accounts.do_add_channel(utrecht.pk, actor=admin, kind="telegram", name="x",
                                settings={"bot": "b"}, secrets={"token": "t"})  # fmt: skip
    assert not ChannelAccount.objects.exists()
    assert not Conversation.objects.exists() and not ExternalMessage.objects.exists()


def test_the_command_line(utrecht, stand_in, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    token_file = tmp_path / "token"
    token_file.write_text(SECRET + "\n")
    out = StringIO()
    call_command(
        "channel", "add", "telegram", "--organisation", "utrecht", "--name", "Bot",
        "--bot", "utrecht_bot", "--token-file", str(token_file), stdout=out,
    )  # fmt: skip
    account = ChannelAccount.objects.get()
    assert f"/hooks/{account.public_id}/" in out.getvalue() and SECRET not in out.getvalue()
    assert accounts.secret_of(account, "token") == SECRET
    out = StringIO()
    call_command("channel", "list", "--organisation", "utrecht", stdout=out)
    assert "utrecht_bot" not in out.getvalue() and "Bot" in out.getvalue()
    call_command("channel", "disable", str(account.pk), stdout=StringIO())
    account.refresh_from_db()
    assert not account.enabled
    with pytest.raises(CommandError, match="bot"):
        call_command("channel", "add", "telegram", "--organisation", "utrecht", "--name", "X",
                     "--token", "t", stdout=StringIO())  # fmt: skip
    with pytest.raises(CommandError):
        call_command("channel", "list", "--organisation", "nergens", stdout=StringIO())
