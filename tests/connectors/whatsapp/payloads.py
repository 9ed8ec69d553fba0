"""Webhook notifications as Meta sends them, for the tests (and bench/channel_webhooks.py): each
built one is checked against ``contract/webhook-notification.schema.json`` (written from
Meta's documentation, see contract/README.md), so the tests feed Balie what Meta documents.
A test that sends something malformed on purpose builds it by hand."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from balie.connectors.whatsapp.webhook import sign

SCHEMA = Path(__file__).parent / "contract" / "webhook-notification.schema.json"
PHONE_NUMBER_ID = "106540352242922"
BUSINESS_ACCOUNT_ID = "419561257915477"
DISPLAY_NUMBER = "31201234567"
TIMESTAMP = "1767225600"


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def checked(notification: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(_validator().iter_errors(notification), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
    return notification


def notification(
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
    contacts: Sequence[dict[str, Any]] = (),
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return checked(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": BUSINESS_ACCOUNT_ID, "changes": [{"value": value, "field": "messages"}]}
            ],
        }
    )


def contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def message(
    wamid: str, sender: str, kind: str, content: Any, *, sent: str = "", **extra: Any
) -> dict[str, Any]:
    """``sent``: WhatsApp's timestamp (Unix seconds), now unless given."""
    return {
        "from": sender,
        "id": wamid,
        "timestamp": sent or str(int(time.time())),
        "type": kind,
        kind: content,
        **extra,
    }


def text(
    wamid: str, sender: str, body: str, *, reply_to: str = "", sent: str = ""
) -> dict[str, Any]:
    extra = {"context": {"from": DISPLAY_NUMBER, "id": reply_to}} if reply_to else {}
    return message(wamid, sender, "text", {"body": body}, sent=sent, **extra)


def media(
    wamid: str,
    sender: str,
    kind: str,
    media_id: str,
    *,
    mime_type: str,
    caption: str = "",
    filename: str = "",
) -> dict[str, Any]:
    content: dict[str, Any] = {"id": media_id, "mime_type": mime_type, "sha256": "0" * 44}
    if caption:
        content["caption"] = caption
    if filename:
        content["filename"] = filename
    if kind == "audio":
        content["voice"] = True
    if kind == "sticker":
        content["animated"] = False
    return message(wamid, sender, kind, content)


def status(
    wamid: str, state: str, recipient: str, *, code: int = 0, title: str = ""
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": TIMESTAMP,
        "recipient_id": recipient,
    }
    if state == "failed":
        report["errors"] = [{"code": code, "title": title, "message": title}]
    return report


def signed(payload: dict[str, Any] | bytes, secret: str) -> tuple[bytes, str]:
    """The raw body and its X-Hub-Signature-256 header value."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return body, sign(body, secret)
