"""What Balie tells Open Klant about a conversation, built from the conversation, its contact
and the organisation's connection — and, on purpose, what it leaves out.

Sent, per round (the resident's and the organisation's messages since the last
registration):

- the **klantcontact**: the kanaal (the connection's name for the channel), the onderwerp
  (the conversation's subject, else a neutral default), as inhoud a summary *without any
  message text* (how many messages each side sent, the first and last time, the team, the
  case reference, the conversation's number in Balie), taal, vertrouwelijk as set up,
  plaatsgevondenOp (the round's first message), indicatieContactGelukt true, and in its
  metadata the conversation's number and the round's key;
- the **betrokkene**, only for an identified resident (a contact with a name, an e-mail
  address or a phone number) and only when the connection sends contact details: rol
  ``klant``, initiator when the resident wrote first, the name as contactnaam; its e-mail
  address and phone number as **digitale adressen** (a number Open Klant would refuse is
  left out). No partij: Balie knows no verified identity (no BSN), and linking a
  conversation to a partij by name or address could link it to the wrong person;
- an **onderwerpobject** naming the conversation in Balie (register ``balie``, type
  ``gesprek``, its number), by which Balie also finds a klantcontact whose answer it never
  received;
- a **bijlage** naming the transcript: the address of the conversation in Balie's console
  (register ``balie``, type ``gespreksverslag``), where staff read it with their rights and
  the read is audited. The messages, attachments, notes and system lines are never sent.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from balie.conversations.models import (
    RESIDENT_VISIBLE,
    Channel,
    Contact,
    Conversation,
    Direction,
    Message,
)
from balie.integrations.klantinteracties.models import Connection

__all__ = [
    "DEFAULT_KANALEN",
    "METADATA_KEY",
    "OBJECT_CONVERSATION",
    "OBJECT_TRANSCRIPT",
    "REGISTER",
    "RoundMessages",
    "addresses",
    "betrokkene",
    "bijlage",
    "is_identified",
    "kanaal",
    "klantcontact",
    "onderwerpobject_identificator",
    "round_messages",
]

REGISTER = "balie"  # codeRegister of what Balie names in Open Klant
OBJECT_CONVERSATION = "gesprek"
OBJECT_TRANSCRIPT = "gespreksverslag"
METADATA_KEY = "balie_registratie"  # the round's key in the klantcontact's metadata
METADATA_CONVERSATION = "balie_gesprek"
DEFAULT_KANALEN: dict[str, str] = {
    Channel.WEBCHAT: "chat",
    Channel.WHATSAPP: "whatsapp",
    Channel.SMS: "sms",
    Channel.EMAIL: "e-mail",
    Channel.TELEGRAM: "telegram",
}
LANGUAGES = {"nl": "nld", "en": "eng", "de": "ger", "fr": "fre"}  # ISO 639-2/B
ONDERWERP_LIMIT, INHOUD_LIMIT, KANAAL_LIMIT, IDENTIFIER_LIMIT = 200, 1000, 50, 200
ADDRESS_LIMIT = 80
# Open Klant's rule for telefoonnummers, without the service numbers it refuses besides.
PHONE = re.compile(r"^(0[1-9][0-9]{8}|\+[0-9]{9,15}|00[0-9]{7,13})$")
SERVICE_NUMBERS = ("0800", "0900", "0906", "0909", "14")
TIME_FORMAT = "%d-%m-%Y %H:%M"


@dataclass(frozen=True)
class RoundMessages:
    """The round's messages as counts and times: the text is never read here."""

    inbound: int
    outbound: int
    first_at: datetime.datetime
    last_at: datetime.datetime
    resident_first: bool


def round_messages(conversation: Conversation, after: int, upto: int) -> RoundMessages | None:
    """The resident's and the organisation's messages with ``after < seq <= upto`` (a
    deleted one still counts: it was part of the contact); None when there are none."""
    rows = list(
        Message.objects.filter(
            conversation=conversation, direction__in=RESIDENT_VISIBLE, seq__gt=after, seq__lte=upto
        )
        .order_by("seq")
        .values_list("direction", "created_at")
    )
    if not rows:
        return None
    inbound = sum(direction == Direction.INBOUND for direction, _at in rows)
    return RoundMessages(
        inbound=inbound,
        outbound=len(rows) - inbound,
        first_at=rows[0][1],
        last_at=rows[-1][1],
        resident_first=rows[0][0] == Direction.INBOUND,
    )


def kanaal(connection: Connection, channel: str) -> str:
    named = connection.kanalen.get(channel) if isinstance(connection.kanalen, dict) else None
    return str(named or DEFAULT_KANALEN.get(channel, channel))[:KANAAL_LIMIT]


def klantcontact(
    conversation: Conversation,
    connection: Connection,
    messages: RoundMessages,
    *,
    key: uuid.UUID,
    round_number: int,
) -> dict[str, Any]:
    """The klantcontact of ``/maak-klantcontact``; texts in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        channel = str(Channel(conversation.channel).label)
        onderwerp = conversation.subject.strip() or gettext("Conversation via %(channel)s") % {
            "channel": channel
        }
        inhoud = _summary(conversation, channel, messages, round_number)
    return {
        "kanaal": kanaal(connection, conversation.channel),
        "onderwerp": onderwerp[:ONDERWERP_LIMIT],
        "inhoud": inhoud[:INHOUD_LIMIT],
        "indicatieContactGelukt": True,
        "taal": LANGUAGES.get(conversation.language, "nld"),
        "vertrouwelijk": connection.confidential,
        "plaatsgevondenOp": _instant(messages.first_at),
        "metadata": {METADATA_CONVERSATION: str(conversation.pk), METADATA_KEY: str(key)},
    }


def _summary(
    conversation: Conversation, channel: str, messages: RoundMessages, round_number: int
) -> str:
    total = messages.inbound + messages.outbound
    parts = [
        ngettext(
            "Conversation %(number)s in Balie via %(channel)s: %(count)s message "
            "(%(inbound)s from the resident, %(outbound)s from the organisation), "
            "from %(first)s to %(last)s.",
            "Conversation %(number)s in Balie via %(channel)s: %(count)s messages "
            "(%(inbound)s from the resident, %(outbound)s from the organisation), "
            "from %(first)s to %(last)s.",
            total,
        )
        % {
            "number": conversation.pk,
            "channel": channel,
            "count": total,
            "inbound": messages.inbound,
            "outbound": messages.outbound,
            "first": _local(messages.first_at),
            "last": _local(messages.last_at),
        }
    ]
    if round_number > 1:
        parts.append(gettext("Continued after an earlier registration of this conversation."))
    if conversation.team is not None:
        parts.append(gettext("Team: %(team)s.") % {"team": conversation.team.name})
    if conversation.case_reference:
        parts.append(gettext("Case reference: %(case)s.") % {"case": conversation.case_reference})
    parts.append(
        gettext("The messages are not copied here: the transcript is in Balie (see the bijlage).")
    )
    return " ".join(parts)


def _instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT)


def is_identified(contact: Contact) -> bool:
    return bool(contact.name.strip() or contact.email.strip() or contact.phone.strip())


def betrokkene(contact: Contact, messages: RoundMessages) -> dict[str, Any]:
    """The resident as betrokkene of ``/maak-klantcontact`` (without wasPartij: see the
    module's docstring); the name split into voornaam and achternaam at its first space."""
    body: dict[str, Any] = {"rol": "klant", "initiator": messages.resident_first}
    words = contact.name.split()
    if words:
        name = {"voornaam": words[0][:200]}
        if len(words) > 1:
            name["achternaam"] = " ".join(words[1:])[:200]
        body["contactnaam"] = name
    return body


def addresses(contact: Contact) -> dict[str, str]:
    """{soortDigitaalAdres: adres} of the contact, as far as Open Klant accepts them."""
    found = {}
    email = contact.email.strip()
    if email and len(email) <= ADDRESS_LIMIT:
        found["email"] = email
    phone = re.sub(r"[\s\-().]", "", contact.phone)
    if PHONE.match(phone) and not phone.startswith(SERVICE_NUMBERS):
        found["telefoonnummer"] = phone
    return found


def digitaal_adres(betrokkene_uuid: uuid.UUID, soort: str, adres: str) -> dict[str, Any]:
    return {
        "verstrektDoorBetrokkene": {"uuid": str(betrokkene_uuid)},
        "adres": adres,
        "soortDigitaalAdres": soort,
    }


def onderwerpobject_identificator(conversation: Conversation) -> dict[str, str]:
    return {
        "codeRegister": REGISTER,
        "codeObjecttype": OBJECT_CONVERSATION,
        "codeSoortObjectId": "id",
        "objectId": str(conversation.pk),
    }


def bijlage(conversation: Conversation, klantcontact_uuid: uuid.UUID) -> dict[str, Any]:
    """The transcript as bijlage: the conversation's address in Balie's console (its number
    when the address would be longer than Open Klant takes)."""
    address = settings.PUBLIC_URL.rstrip("/") + reverse(
        "console:inbox", args=[conversation.organisation.slug]
    )
    address += f"?open={conversation.pk}"
    kind, value = ("url", address) if len(address) <= IDENTIFIER_LIMIT else ("id", "")
    return {
        "wasBijlageVanKlantcontact": {"uuid": str(klantcontact_uuid)},
        "bijlageidentificator": {
            "codeRegister": REGISTER,
            "codeObjecttype": OBJECT_TRANSCRIPT,
            "codeSoortObjectId": kind,
            "objectId": value or str(conversation.pk),
        },
    }
