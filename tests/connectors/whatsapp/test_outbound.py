"""Staff's answers on WhatsApp: through the delivery task to the (fake) Graph API, checked
against Meta's contract; files uploaded and sent; status reports in any order; the 24-hour
window and templates; WhatsApp's refusals shown on the message."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from balie.connectors.inbound import Inbound, do_receive
from balie.connectors.models import ChannelThread, ExternalMessage
from balie.connectors.whatsapp import graph
from balie.connectors.whatsapp.models import OutboundPart
from balie.connectors.whatsapp.templates import do_add_template, do_send_template, window_of
from balie.conversations import actions, tasks
from balie.conversations.models import DeliveryStatus, Direction
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import RESIDENT, post
from tests.factories import pdf_document, send
from tests.web.test_resident_files import jpeg_with_gps, png_bytes


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def conversation(account):
    return do_receive(
        account, Inbound("wamid.Q1", RESIDENT, "Hoe laat gaat het loket open?")
    ).conversation


def _reply(conversation, agent, body="Om negen uur.", attachment_ids=()):
    return actions.do_send_message(
        conversation, direction=Direction.OUTBOUND, body=body, client_id=f"reply-{body[:20]}-x",
        author=agent, attachment_ids=list(attachment_ids),
    ).message  # fmt: skip


def _staff_file(conversation, agent, data: bytes, name: str) -> int:
    return actions.do_store_attachment(conversation, data=data, filename=name, uploaded_by=agent).pk


def _close_window(conversation) -> None:
    ChannelThread.objects.filter(conversation=conversation).update(
        last_inbound_at=timezone.now() - timedelta(hours=24, minutes=1)
    )


def test_a_text_reaches_the_resident_as_documented(conversation, agent_anna, fake_graph):
    reply = _reply(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    (sent,) = fake_graph.sent
    assert {k: v for k, v in sent.items() if k != "_wamid"} == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": RESIDENT,
        "type": "text",
        "text": {"body": "Om negen uur.", "preview_url": False},
    }
    assert ExternalMessage.objects.get(inbound=False).external_id == sent["_wamid"]
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT  # a late duplicate task
    assert len(fake_graph.sent) == 1


def test_statuses_in_any_order_never_go_back(client, account, conversation, agent_anna, fake_graph):
    reply = _reply(conversation, agent_anna)
    tasks.deliver_outbound.call(reply.pk)
    wamid = fake_graph.sent[0]["_wamid"]
    for state in ("read", "delivered", "sent"):
        report = payloads.notification(statuses=[payloads.status(wamid, state, RESIDENT)])
        assert post(client, account, report).status_code == 200
    late_failure = payloads.status(wamid, "failed", RESIDENT, code=131026, title="Undeliverable")
    post(client, account, payloads.notification(statuses=[late_failure]))
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.delivery_error) == (DeliveryStatus.READ, "")


def test_a_failed_status_carries_whatsapps_error_code(
    client, account, conversation, agent_anna, fake_graph
):
    reply = _reply(conversation, agent_anna)
    tasks.deliver_outbound.call(reply.pk)
    failed = payloads.status(
        fake_graph.sent[0]["_wamid"], "failed", RESIDENT, code=131026, title="Message undeliverable"
    )
    post(client, account, payloads.notification(statuses=[failed]))
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert reply.delivery_error == "131026: Message undeliverable"


def test_outside_the_window_a_free_text_is_refused_and_a_template_is_sent(
    conversation, account, agent_anna, fake_graph
):
    _close_window(conversation)
    assert window_of(conversation)["open"] is False
    free = _reply(conversation, agent_anna, "Bent u er nog?")
    assert tasks.deliver_outbound.call(free.pk) == DeliveryStatus.FAILED
    free.refresh_from_db()
    assert free.delivery_error.startswith("outside_window: the resident's last message is more")
    assert fake_graph.sent == []  # nothing was tried

    template = do_add_template(
        account, actor=None, name="vraag_opvolging", language="nl",
        body="Beste {{1}}, heeft u nog een vraag over {{2}}?", approved=True,
    )  # fmt: skip
    message = do_send_template(
        conversation, actor=agent_anna, template_id=template.pk,
        parameters=["mevrouw De Vries", "het loket"], client_id="template-1-abcdef",
    ).message  # fmt: skip
    assert message.body == "Beste mevrouw De Vries, heeft u nog een vraag over het loket?"
    assert tasks.deliver_outbound.call(message.pk) == DeliveryStatus.SENT
    (sent,) = fake_graph.sent
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "vraag_opvolging",
        "language": {"policy": "deterministic", "code": "nl"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "mevrouw De Vries"},
                    {"type": "text", "text": "het loket"},
                ],
            }
        ],
    }


def test_whatsapps_own_window_refusal_reads_the_same(conversation, agent_anna, fake_graph):
    """Balie thought the window open (its clock, a late webhook); WhatsApp says 131047."""
    fake_graph.refuse("sendMessage", code=131047, title="Re-engagement message")
    reply = _reply(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.FAILED
    reply.refresh_from_db()
    assert reply.delivery_error.startswith("outside_window: ")


def test_a_refusal_fails_at_once_with_whatsapps_code(conversation, agent_anna, fake_graph):
    fake_graph.refuse("sendMessage", status=401, code=190, title="Invalid OAuth access token")
    reply = _reply(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.FAILED
    reply.refresh_from_db()
    assert reply.delivery_error == "190: Invalid OAuth access token."


def test_a_rate_limit_is_tried_again(conversation, agent_anna, fake_graph):
    fake_graph.refuse("sendMessage", code=130429, title="Rate limit hit")
    reply = _reply(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == "retrying"
    reply.refresh_from_db()
    assert reply.delivery_error.startswith("130429: Rate limit hit.")
    assert tasks.deliver_outbound.call(reply.pk, 2) == DeliveryStatus.SENT


def test_a_timeout_is_tried_again(conversation, agent_anna, fake_graph, monkeypatch):
    monkeypatch.setattr(graph, "READ_TIMEOUT", 0.3)
    fake_graph.fail_operation("sendMessage", "slow", delay=1.5)
    reply = _reply(conversation, agent_anna)
    assert tasks.deliver_outbound.call(reply.pk) == "retrying"
    reply.refresh_from_db()
    assert reply.delivery_error.startswith("graph_unreachable: ReadTimeout")


def test_a_photo_is_uploaded_and_sent_without_its_metadata(conversation, agent_anna, fake_graph):
    photo = _staff_file(conversation, agent_anna, jpeg_with_gps(), "foto.jpg")
    reply = _reply(conversation, agent_anna, "Zo ziet het formulier eruit.", [photo])
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    (upload,) = fake_graph.uploads
    assert upload["type"] == "image/jpeg" and upload["filename"] == "foto.jpg"
    assert not Image.open(io.BytesIO(upload["data"])).getexif()  # the display copy
    (sent,) = fake_graph.sent
    assert sent["type"] == "image"
    assert sent["image"] == {"id": upload["id"], "caption": "Zo ziet het formulier eruit."}


def test_a_pdf_and_a_gif_go_as_documents_after_the_text(conversation, agent_anna, fake_graph):
    gif = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(gif, "GIF")
    files = [
        _staff_file(conversation, agent_anna, pdf_document(), "brief.pdf"),
        _staff_file(conversation, agent_anna, gif.getvalue(), "kaart.gif"),
    ]
    long_text = "Zie de bijlagen. " * 70  # longer than a caption may be
    reply = _reply(conversation, agent_anna, long_text, files)
    assert tasks.deliver_outbound.call(reply.pk) == DeliveryStatus.SENT
    assert [s["type"] for s in fake_graph.sent] == ["text", "document", "document"]
    assert fake_graph.sent[1]["document"]["filename"] == "brief.pdf"
    assert "caption" not in fake_graph.sent[1]["document"]
    assert [u["type"] for u in fake_graph.uploads] == ["application/pdf", "image/gif"]
    # A status report on any part is about this message.
    assert ExternalMessage.objects.filter(message=reply).count() == 3


def test_a_failure_halfway_sends_only_the_rest_on_the_retry(conversation, agent_anna, fake_graph):
    files = [
        _staff_file(conversation, agent_anna, png_bytes((10, 10)), "een.png"),
        _staff_file(conversation, agent_anna, png_bytes((12, 12)), "twee.png"),
    ]
    reply = _reply(conversation, agent_anna, "Twee foto's", files)
    fake_graph.fail_operation("uploadMedia", "500", occurrence=2)
    assert tasks.deliver_outbound.call(reply.pk) == "retrying"
    assert len(fake_graph.sent) == 1
    assert tasks.deliver_outbound.call(reply.pk, 2) == DeliveryStatus.SENT
    assert [s["image"].get("caption") for s in fake_graph.sent] == ["Twee foto's", None]
    assert [u["filename"] for u in fake_graph.uploads] == ["een.png", "twee.png"]
    assert OutboundPart.objects.filter(message=reply).count() == 2


def test_a_conversation_of_another_channel_is_not_whatsapps(webchat, agent_anna):
    conversation, _token = webchat
    assert window_of(conversation) == {"open": False, "closes_at": None}
    message = send(conversation, "Hallo", direction=Direction.OUTBOUND, author=agent_anna)
    assert message.delivery_status == DeliveryStatus.SENT  # web chat: no delivery task


def test_a_template_follows_the_teams_collision_rule(
    conversation, account, agent_anna, lead_lotte, client
):
    from balie.conversations import actions
    from balie.conversations.actions.collision import AssignedToOther

    actions.do_assign(conversation, actor=lead_lotte, assignee=lead_lotte)
    template = do_add_template(
        account, actor=None, name="herinnering", language="nl", body="Beste {{1}}", approved=True
    )
    send = {"template_id": template.pk, "parameters": ["inwoner"], "client_id": "template-2-abc"}
    with pytest.raises(AssignedToOther):
        do_send_template(conversation, actor=agent_anna, **send)
    client.force_login(agent_anna)
    path = f"/console/conversations/{conversation.pk}/whatsapp/template/"
    body = {"template": template.pk, "parameters": ["inwoner"], "client_id": "template-2-abc"}
    refused = client.post(path, body, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (409, "assigned_to_other")
    confirmed = client.post(path, {**body, "confirm": True}, content_type="application/json")
    assert confirmed.status_code == 201
