"""A WhatsApp webhook notification, read: the residents' messages and the status reports on
what Balie sent, for one phone number.

Strict about the envelope, forgiving per item. A body that is not JSON, or not the
``{"object": "whatsapp_business_account", "entry": [...]}`` Meta documents, is
:class:`Malformed` (the webhook answers 400 and stores nothing). Inside, Meta batches several
entries, changes, messages and statuses: one that is not what the documentation describes is
skipped and counted (``Batch.skipped``), the others are kept. Changes about another phone
number than the account's are left alone (``Batch.foreign``): a webhook of one
organisation's number never lands in another's.

Pure: no database, no translations (its errors derive from ``balie.errors``, which
imports nothing from Django); :mod:`.receiving` turns the result into messages.
Shapes: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components and
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from balie.connectors.registry import StatusReport  # a failed one's error: "<code>: <title>"
from balie.errors import Invalid

__all__ = [
    "MEDIA_KINDS",
    "STATUSES",
    "Batch",
    "Contact",
    "Incoming",
    "Location",
    "Malformed",
    "Media",
    "StatusReport",
    "TemplateUpdate",
    "normalise_address",
    "parse",
]

MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
TEMPLATE_FIELD = "message_template_status_update"
STATUSES = ("sent", "delivered", "read", "failed")
MAX_ID = 200  # a wamid (leaves room for our "#media" suffix in 255 characters)
MAX_TEXT = 10_000  # longer than WhatsApp allows (4,096): cut, never refused
MAX_SHORT = 500
MAX_CONTACTS = 20
_DIGITS = re.compile(r"\D")


class Malformed(Invalid):  # noqa: N818 (read as "the body is malformed")
    """Not a WhatsApp notification at all: the webhook answers 400."""

    default_code = "malformed"


@dataclass(frozen=True)
class Media:
    media_id: str
    kind: str  # image, document, audio, video or sticker
    mime_type: str = ""
    filename: str = ""


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incoming:
    """One message of a resident. ``text``: the text, the caption, or a reply button's
    label; ``reply_to``: the wamid it answers (WhatsApp's "reply"); ``reaction``: the emoji
    ("" when a reaction was taken back) with ``reply_to`` the message it is on."""

    external_id: str
    address: str
    kind: str
    name: str = ""
    text: str = ""
    reply_to: str = ""
    media: Media | None = None
    location: Location | None = None
    contacts: tuple[Contact, ...] = ()
    reaction: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class TemplateUpdate:
    """Meta's review of a template: approved, or not (rejected, paused, disabled …)."""

    name: str
    language: str
    approved: bool


@dataclass
class Batch:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[StatusReport] = field(default_factory=list)
    templates: list[TemplateUpdate] = field(default_factory=list)
    skipped: int = 0  # items not shaped as documented
    foreign: int = 0  # changes about another phone number
    ignored: int = 0  # changes of other fields (template updates, account alerts)


class _Skip(Invalid):  # noqa: N818 - one item is left out
    default_code = "skipped"


def normalise_address(raw: object) -> str:
    """A WhatsApp id in its one stored form: digits only (``"+31 6 1234 5678"`` →
    ``"31612345678"``); "" when it cannot be one."""
    if not isinstance(raw, str) or len(raw) > 40:
        return ""
    digits = _DIGITS.sub("", raw)
    return digits if 6 <= len(digits) <= 20 else ""


def parse(body: bytes, phone_number_id: str, business_account_id: str = "") -> Batch:
    """Read a notification for the number ``phone_number_id`` (and, when given, the template
    reviews of the WhatsApp Business Account ``business_account_id``); :class:`Malformed`
    when the body is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Malformed("not_json") from None
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise Malformed("not_whatsapp_business_account")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise Malformed("no_entry_list")
    batch = Batch()
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            batch.skipped += 1
            continue
        ours = bool(business_account_id) and entry.get("id") == business_account_id
        for change in changes:
            if isinstance(change, dict) and change.get("field") == TEMPLATE_FIELD:
                _read_template_update(change.get("value"), ours, batch)
            else:
                _read_change(change, phone_number_id, batch)
    return batch


def _read_template_update(value: object, ours: bool, batch: Batch) -> None:
    """``{"event": "APPROVED", "message_template_name", "message_template_language", …}``
    for a template of the account's WhatsApp Business Account (another's is left alone)."""
    if not ours:
        batch.foreign += 1
        return
    if not isinstance(value, dict):
        batch.skipped += 1
        return
    event = value.get("event")
    name, language = value.get("message_template_name"), value.get("message_template_language")
    if not (
        isinstance(event, str)
        and isinstance(name, str)
        and isinstance(language, str)
        and 0 < len(name) <= 512
        and 0 < len(language) <= 15
    ):
        batch.skipped += 1
        return
    batch.templates.append(TemplateUpdate(name, language, approved=event == "APPROVED"))


def _read_change(change: object, phone_number_id: str, batch: Batch) -> None:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        batch.skipped += 1
        return
    if change.get("field") != "messages":
        batch.ignored += 1
        return
    value = change["value"]
    metadata = value.get("metadata")
    number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    if not isinstance(number, str):
        batch.skipped += 1
        return
    if number != phone_number_id:
        batch.foreign += 1
        return
    names = _profile_names(value.get("contacts"))
    for kind, items in (("messages", value.get("messages")), ("statuses", value.get("statuses"))):
        if items is None:
            continue
        if not isinstance(items, list):
            batch.skipped += 1
            continue
        for item in items:
            try:
                if kind == "messages":
                    batch.messages.append(_message(item, names))
                else:
                    batch.statuses.append(_status(item))
            except _Skip:
                batch.skipped += 1


def _profile_names(contacts: object) -> dict[str, str]:
    """wa_id → the name the resident gave in WhatsApp."""
    names: dict[str, str] = {}
    if isinstance(contacts, list):
        for contact in contacts:
            if not isinstance(contact, dict):
                continue
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            address = normalise_address(contact.get("wa_id"))
            if address and isinstance(name, str):
                names[address] = _clean(name, 200)
    return names


def _message(item: object, names: dict[str, str]) -> Incoming:
    if not isinstance(item, dict):
        raise _Skip
    external_id, kind = _id(item.get("id")), item.get("type")
    address = normalise_address(item.get("from"))
    if not address or not isinstance(kind, str) or not kind:
        raise _Skip
    context = item.get("context")
    reply_to = _optional_id(context.get("id")) if isinstance(context, dict) else ""
    fields: dict[str, Any] = {}
    content = item.get(kind)
    if kind == "text":
        fields["text"] = _text(_dict(content).get("body"), required=True)
    elif kind in MEDIA_KINDS:
        fields.update(_media(kind, _dict(content)))
    elif kind == "location":
        fields["location"] = _location(_dict(content))
    elif kind == "contacts":
        fields["contacts"] = _contacts(content)
    elif kind == "reaction":
        reaction = _dict(content)
        reply_to = _id(reaction.get("message_id"))
        emoji = reaction.get("emoji", "")
        fields["reaction"] = _clean(emoji, 20) if isinstance(emoji, str) else ""
    elif kind == "button":
        fields["text"] = _text(_dict(content).get("text"), required=True)
    elif kind == "interactive":
        fields["text"] = _interactive(_dict(content))
    elif kind == "system":  # e.g. the resident changed their number
        fields["text"] = _text(_dict(content).get("body"), required=False)
    return Incoming(
        external_id=external_id, address=address, kind=kind, name=names.get(address, ""),
        reply_to=reply_to, sent_at=_timestamp(item.get("timestamp")), **fields,
    )  # fmt: skip


def _media(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    media_id = content.get("id")
    if not isinstance(media_id, str) or not media_id.isalnum() or len(media_id) > 64:
        raise _Skip
    mime_type = content.get("mime_type")
    filename = content.get("filename")
    return {
        "media": Media(
            media_id=media_id,
            kind=kind,
            mime_type=_clean(mime_type, 100) if isinstance(mime_type, str) else "",
            filename=_clean(filename, 200) if isinstance(filename, str) else "",
        ),
        "text": _text(content.get("caption"), required=False),
    }


def _location(content: dict[str, Any]) -> Location:
    latitude, longitude = _number(content.get("latitude")), _number(content.get("longitude"))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _Skip
    name, address = content.get("name"), content.get("address")
    return Location(
        latitude=latitude,
        longitude=longitude,
        name=_clean(name, MAX_SHORT) if isinstance(name, str) else "",
        address=_clean(address, MAX_SHORT) if isinstance(address, str) else "",
    )


def _contacts(content: object) -> tuple[Contact, ...]:
    if not isinstance(content, list) or not content:
        raise _Skip
    cards = []
    for card in content[:MAX_CONTACTS]:
        if not isinstance(card, dict):
            raise _Skip
        name = _dict(card.get("name")).get("formatted_name")
        phones = card.get("phones")
        numbers = tuple(
            _clean(p["phone"], 40)
            for p in (phones if isinstance(phones, list) else [])[:MAX_CONTACTS]
            if isinstance(p, dict) and isinstance(p.get("phone"), str)
        )
        cards.append(Contact(_clean(name, 200) if isinstance(name, str) else "", numbers))
    return tuple(cards)


def _interactive(content: dict[str, Any]) -> str:
    """A resident's tap on a reply button or list row: its title (and description)."""
    for key in ("button_reply", "list_reply"):
        reply = content.get(key)
        if isinstance(reply, dict) and isinstance(reply.get("title"), str):
            description = reply.get("description")
            title = _clean(reply["title"], MAX_SHORT)
            if isinstance(description, str) and description:
                return f"{title} — {_clean(description, MAX_SHORT)}"
            return title
    return ""  # another kind: shown as a kind of message Balie does not show


def _status(item: object) -> StatusReport:
    if not isinstance(item, dict):
        raise _Skip
    external_id, status = _id(item.get("id")), item.get("status")
    if status not in STATUSES:
        raise _Skip
    error = ""
    errors = item.get("errors")
    if status == "failed" and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code, title = errors[0].get("code"), errors[0].get("title")
        code_text = str(code) if isinstance(code, int) and not isinstance(code, bool) else "error"
        error = f"{code_text}: {_clean(title, 200)}" if isinstance(title, str) else code_text
    elif status == "failed":
        error = "error"
    return StatusReport(external_id, status, error)


# small checks


def _dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Skip
    return value


def _number(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Skip
    return float(value)


def _id(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID or not value.isprintable():
        raise _Skip
    return value


def _optional_id(value: object) -> str:
    try:
        return _id(value)
    except _Skip:
        return ""


def _text(value: object, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Skip
    return _clean(value, MAX_TEXT)


def _clean(value: str, limit: int) -> str:
    """What a database stores: no NUL, no lone surrogate; at most ``limit`` characters."""
    value = value.replace("\x00", "")
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value.strip()[:limit]


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, str) and value.isdigit() and len(value) <= 12:
        return datetime.fromtimestamp(int(value), tz=UTC)
    return None
