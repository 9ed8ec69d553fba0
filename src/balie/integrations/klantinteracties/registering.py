"""One attempt at registering a conversation's round in Open Klant, continuing where the
last one stopped. The steps, in order (what they send: ``content``):

1. the klantcontact, with the betrokkene (an identified resident) and the onderwerpobject
   naming the conversation, in one call (``POST /maak-klantcontact``, which Open Klant
   stores in one transaction): the stored address; else, when an earlier attempt sent it
   but never heard back, the one found through the onderwerpobject and the round's key in
   the klantcontact's metadata; else a new one;
2. the betrokkene's digitale adressen (e-mail, phone), one call each;
3. the transcript as bijlage.

Every address is stored as soon as Open Klant answers, and every creation is noted as
tried before it is sent, so a crash or a lost answer between two calls never makes a second
klantcontact, adres or bijlage: what was tried and not stored is looked up first.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from balie.integrations.klantinteracties import content
from balie.integrations.klantinteracties.client import OpenKlant, Reference, reference
from balie.integrations.klantinteracties.models import Connection, Registration
from balie.integrations.klantinteracties.outcomes import RegistrationRefused
from balie.tenants.secrets import unseal

__all__ = ["register"]

KLANTCONTACT, BIJLAGE = "klantcontact", "bijlage"


def register(registration: Registration) -> None:
    """One attempt; raises OpenKlantError or RegistrationRefused when it cannot finish."""
    conversation = registration.conversation
    if conversation.destroyed_at is not None:
        raise RegistrationRefused("conversation_destroyed")
    connection = _connection_for(registration)
    with OpenKlant(connection.url, unseal(connection.token)) as api:
        if registration.klantcontact_uuid is None:
            _klantcontact(api, registration, connection)
        betrokkene, klantcontact = registration.betrokkene_uuid, registration.klantcontact_uuid
        if betrokkene is not None and connection.send_contact_details:
            for soort, adres in content.addresses(conversation.contact).items():
                if soort not in registration.digitale_adressen:
                    _digitaal_adres(api, registration, betrokkene, soort, adres)
        if not registration.bijlage_url and klantcontact is not None:
            _bijlage(api, registration, klantcontact)


def _connection_for(registration: Registration) -> Connection:
    connection = (
        Connection.objects.for_organisation(registration.organisation_id)
        .filter(enabled=True)
        .first()
    )
    if connection is None:
        raise RegistrationRefused("no_connection")
    if registration.remote_base and registration.remote_base != connection.url:
        if registration.klantcontact_uuid is not None:
            raise RegistrationRefused("target_changed")
        do_forget_tries(registration)  # nothing known at the earlier address: start here
    return connection


def _klantcontact(api: OpenKlant, registration: Registration, connection: Connection) -> None:
    conversation = registration.conversation
    found = _lost_klantcontact(api, registration) if KLANTCONTACT in registration.tried else None
    if found is None:
        upto = registration.wanted_seq
        messages = content.round_messages(conversation, registration.from_seq, upto)
        if messages is None:
            raise RegistrationRefused("nothing_to_register")
        body: dict[str, Any] = {
            "klantcontact": content.klantcontact(
                conversation, connection, messages, key=registration.key,
                round_number=registration.round,
            ),
            "onderwerpobject": {
                "onderwerpobjectidentificator": content.onderwerpobject_identificator(conversation)
            },
        }  # fmt: skip
        if connection.send_contact_details and content.is_identified(conversation.contact):
            body["betrokkene"] = content.betrokkene(conversation.contact, messages)
        do_note_tried(registration, KLANTCONTACT, covered_seq=upto, base=connection.url)
        answer = api.create("maak-klantcontact", body)
        found = (
            reference(answer.get("klantcontact"), "klantcontact"),
            reference(answer["betrokkene"], "betrokkene") if answer.get("betrokkene") else None,
            reference(answer.get("onderwerpobject"), "onderwerpobject"),
        )
    do_note_klantcontact(registration, *found)


def _lost_klantcontact(
    api: OpenKlant, registration: Registration
) -> tuple[Reference, Reference | None, Reference] | None:
    """The klantcontact an interrupted attempt created: among those whose onderwerpobject
    names this conversation, the one whose metadata carries this round's key."""
    identificator = content.onderwerpobject_identificator(registration.conversation)
    query = {
        "onderwerpobjectidentificatorCodeRegister": identificator["codeRegister"],
        "onderwerpobjectidentificatorCodeObjecttype": identificator["codeObjecttype"],
        "onderwerpobjectidentificatorCodeSoortObjectId": identificator["codeSoortObjectId"],
        "onderwerpobjectidentificatorObjectId": identificator["objectId"],
    }
    known = {entry.get("klantcontact") for entry in registration.earlier}
    for item in api.find("onderwerpobjecten", query):
        klantcontact = reference(item.get("klantcontact"), "klantcontact")
        if klantcontact.url in known:
            continue
        full = api.read("klantcontacten", klantcontact.uuid)
        metadata = full.get("metadata")
        if not isinstance(metadata, dict) or metadata.get(content.METADATA_KEY) != str(
            registration.key
        ):
            continue
        betrokkenen = full.get("hadBetrokkenen") or []
        return (
            klantcontact,
            reference(betrokkenen[0], "betrokkene") if betrokkenen else None,
            reference(item, "onderwerpobject"),
        )
    return None


def _digitaal_adres(
    api: OpenKlant, registration: Registration, betrokkene: uuid.UUID, soort: str, adres: str
) -> None:
    step, url = f"adres:{soort}", None
    if step in registration.tried:
        for item in api.find(
            "digitaleadressen", {"verstrektDoorBetrokkene__uuid": str(betrokkene)}
        ):
            if item.get("soortDigitaalAdres") == soort and item.get("adres") == adres:
                url = reference(item, "digitaal adres").url
                break
    if url is None:
        do_note_tried(registration, step)
        answer = api.create("digitaleadressen", content.digitaal_adres(betrokkene, soort, adres))
        url = reference(answer, "digitaal adres").url
    do_note_address(registration, soort, url)


def _bijlage(api: OpenKlant, registration: Registration, klantcontact: uuid.UUID) -> None:
    url = None
    if BIJLAGE in registration.tried:
        query = {
            "klantcontact__uuid": str(klantcontact),
            "bijlageidentificatorCodeRegister": content.REGISTER,
            "bijlageidentificatorCodeObjecttype": content.OBJECT_TRANSCRIPT,
        }
        url = next((reference(item, "bijlage").url for item in api.find("bijlagen", query)), None)
    if url is None:
        do_note_tried(registration, BIJLAGE)
        answer = api.create("bijlagen", content.bijlage(registration.conversation, klantcontact))
        url = reference(answer, "bijlage").url
    do_note_bijlage(registration, url)


# The bookkeeping of an attempt: each write at once, outside any longer transaction, so that
# what Open Klant has is known even when the next call never returns.


def do_note_tried(
    registration: Registration, step: str, *, covered_seq: int | None = None, base: str = ""
) -> None:
    """``step``'s creation is about to be sent (for the klantcontact: covering messages up
    to ``covered_seq``, at the API ``base``)."""
    fields: dict[str, Any] = {"updated_at": timezone.now()}
    if step not in registration.tried:
        registration.tried = [*registration.tried, step]
        fields["tried"] = registration.tried
    if covered_seq is not None:
        registration.covered_seq = fields["covered_seq"] = covered_seq
        registration.remote_base = fields["remote_base"] = base
    Registration.objects.filter(pk=registration.pk).update(**fields)


def do_forget_tries(registration: Registration) -> None:
    registration.tried, registration.remote_base = [], ""
    Registration.objects.filter(pk=registration.pk).update(
        tried=[], remote_base="", updated_at=timezone.now()
    )


def do_note_klantcontact(
    registration: Registration,
    klantcontact: Reference,
    betrokkene: Reference | None,
    onderwerpobject: Reference,
) -> None:
    registration.klantcontact_url, registration.klantcontact_uuid = (
        klantcontact.url,
        klantcontact.uuid,
    )
    registration.onderwerpobject_url = onderwerpobject.url
    if betrokkene is not None:
        registration.betrokkene_url, registration.betrokkene_uuid = betrokkene.url, betrokkene.uuid
    Registration.objects.filter(pk=registration.pk).update(
        klantcontact_url=registration.klantcontact_url,
        klantcontact_uuid=registration.klantcontact_uuid,
        onderwerpobject_url=registration.onderwerpobject_url,
        betrokkene_url=registration.betrokkene_url,
        betrokkene_uuid=registration.betrokkene_uuid,
        updated_at=timezone.now(),
    )


def do_note_address(registration: Registration, soort: str, url: str) -> None:
    registration.digitale_adressen = {**registration.digitale_adressen, soort: url}
    Registration.objects.filter(pk=registration.pk).update(
        digitale_adressen=registration.digitale_adressen, updated_at=timezone.now()
    )


def do_note_bijlage(registration: Registration, url: str) -> None:
    registration.bijlage_url = url
    Registration.objects.filter(pk=registration.pk).update(
        bijlage_url=url, updated_at=timezone.now()
    )
