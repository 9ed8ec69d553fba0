"""DiWoo metadata beside every published document: valid against the vendored DiWoo XSD, the
same values in XML and JSON, and nothing redacted in either."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from django.utils import timezone

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions
from balie.tenants.actions import do_create_organisation
from balie.woo.actions import do_register_request, do_set_status
from balie.woo.diwoo import NAMESPACE, MissingGemeentecode, metadata_json, metadata_xml
from balie.woo.models import Decision, RedactionState, Status
from balie.woo.package import build_package, file_name, metadata_names
from balie.woo.review import (
    do_collect,
    do_decide_document,
    do_propose_redactions,
    do_redact_everywhere,
    do_review_redaction,
)
from tests.factories import send
from tests.woo.test_publication import SECRETS, request_with_documents  # noqa: F401

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "schemas" / "diwoo" / "diwoo-metadata.xsd"
UTRECHT = "https://identifier.overheid.nl/tooi/id/gemeente/gm0344"
WOO_VERZOEKEN = "https://identifier.overheid.nl/tooi/def/thes/kern/c_3baef532"
VASTSTELLING = "https://identifier.overheid.nl/tooi/def/thes/kern/c_641ecd76"
# The containers whose children are the items of a list in the JSON.
LISTS = {"identifiers", "omschrijvingen", "informatiecategorieen", "documenthandelingen"}


@pytest.fixture(scope="module")
def schema():
    # allow="local": the XSD and what it includes come from disk, never from the network.
    return xmlschema.XMLSchema(str(SCHEMA.resolve()), allow="local")


@pytest.fixture
def decided(request_with_documents, woo_wim):  # noqa: F811
    """The two documents reviewed and decided partly public; the request decided."""
    request = request_with_documents
    do_propose_redactions(request, actor=woo_wim)
    do_redact_everywhere(request, actor=woo_wim, text="Kerkstraat 12", ground="5.1.2e")
    first, second = request.documents.order_by("number")
    for redaction in first.redactions.filter(category="name"):
        do_review_redaction(redaction, actor=woo_wim, state=RedactionState.ACCEPTED)
    do_decide_document(first, actor=woo_wim, decision=Decision.PARTLY_PUBLIC,
                       grounds=["5.1.1e", "5.1.2e"])  # fmt: skip
    do_decide_document(second, actor=woo_wim, decision=Decision.PARTLY_PUBLIC,
                       grounds=["5.1.1d", "5.1.2e"])  # fmt: skip
    for status in (Status.COLLECTING, Status.ASSESSING, Status.DECIDED):
        do_set_status(request, actor=woo_wim, status=status)
    return request


def _errors(schema, content: bytes) -> list[str]:
    return [str(error).splitlines()[0] for error in schema.iter_errors(io.BytesIO(content))]


def _value(element: ET.Element):
    """An element of the XML in the JSON's shape."""
    name = element.tag.removeprefix(f"{{{NAMESPACE}}}")
    children = list(element)
    if "resource" in element.attrib:
        return {"resource": element.get("resource"), "label": element.text}
    if name in LISTS:
        return [_value(child) for child in children]
    if children:
        return {child.tag.removeprefix(f"{{{NAMESPACE}}}"): _value(child) for child in children}
    return element.text


def _as_json(xml: bytes) -> dict:
    root = ET.fromstring(xml)  # noqa: S314 (our own output, read back)
    assert root.tag == f"{{{NAMESPACE}}}Document"
    return _value(root)


def test_every_published_document_has_valid_diwoo_metadata(decided, schema):
    package = build_package(decided)
    documents = list(decided.documents.order_by("number"))
    assert [metadata_names(d) for d in documents] == [
        ("WOO-2026-014-001.diwoo.xml", "WOO-2026-014-001.diwoo.json"),
        ("WOO-2026-014-002.diwoo.xml", "WOO-2026-014-002.diwoo.json"),
    ]
    names = zipfile.ZipFile(io.BytesIO(package.zip())).namelist()
    for document in documents:
        xml_name, json_name = metadata_names(document)
        xml, content = package.files[xml_name], package.files[json_name]
        assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        assert _errors(schema, xml) == []
        meta = json.loads(content)
        assert _as_json(xml) == meta  # the same values, one to one
        diwoo = meta["DiWoo"]
        assert diwoo["publisher"] == {"resource": UTRECHT, "label": "Gemeente Utrecht"}
        assert diwoo["classificatiecollectie"]["informatiecategorieen"] == [
            {"resource": WOO_VERZOEKEN, "label": "Woo-verzoeken en -besluiten"}
        ]
        assert diwoo["identifiers"] == [file_name(document)]
        assert diwoo["format"]["label"] == "PDF" and diwoo["aggregatiekenmerk"] == "WOO-2026-014"
        assert diwoo["creatiedatum"] == timezone.localdate().isoformat()
        assert re.fullmatch(
            rf"Woo-verzoek WOO-2026-014, document {document.number}: chatgesprek van "
            r"\d{1,2} [a-z]+ \d{4}",
            diwoo["titelcollectie"]["officieleTitel"],
        )
        (handeling,) = diwoo["documenthandelingen"]
        assert handeling["soortHandeling"] == {"resource": VASTSTELLING, "label": "vaststelling"}
        assert handeling["atTime"].startswith(decided.decided_on.isoformat() + "T00:00:00")
        assert handeling["wasAssociatedWith"]["resource"] == UTRECHT
        assert (
            "Besluit: deels openbaar; weigeringsgronden: artikel 5.1" in diwoo["omschrijvingen"][0]
        )
        assert xml_name in names and json_name in names
    # the validator is not a formality: a municipality outside TOOI's list is refused
    xml = package.files["WOO-2026-014-001.diwoo.xml"]
    assert _errors(schema, xml.replace(b"gm0344", b"gm9999"))


def test_no_redacted_string_reaches_the_metadata(decided):
    package = build_package(decided)
    metadata = {n: c for n, c in package.files.items() if ".diwoo." in n}
    assert len(metadata) == 4
    everything = " ".join(n + " " + c.decode("utf-8") for n, c in metadata.items())
    names = " ".join(zipfile.ZipFile(io.BytesIO(package.zip())).namelist())
    for secret in SECRETS:
        assert secret not in everything and secret not in names, secret


def test_a_withheld_document_has_no_metadata(request_with_documents, woo_wim):  # noqa: F811
    first, second = request_with_documents.documents.order_by("number")
    do_decide_document(first, actor=woo_wim, decision=Decision.NOT_PUBLIC, grounds=["5.1.2e"])
    do_decide_document(second, actor=woo_wim, decision=Decision.PUBLIC)
    names = set(build_package(request_with_documents).files)
    assert {"WOO-2026-014-002.diwoo.xml", "WOO-2026-014-002.diwoo.json"} <= names
    assert not any(n.startswith("WOO-2026-014-001") for n in names)


def test_without_gemeentecode_no_metadata_and_a_clear_error(db):
    nowhere = do_create_organisation(name="Gemeente Nergens", slug="nergens")
    agent = do_create_staff_user(username="agent_nina", password="correct-horse-battery")
    do_set_membership(agent, nowhere, Role.AGENT)
    actions.do_create_team(nowhere, name="Algemeen", members=[agent], is_default=True)
    coordinator = do_create_staff_user(username="woo_wout", password="correct-horse-battery")
    do_set_membership(coordinator, nowhere, Role.WOO_OFFICER)
    conversation, _ = actions.do_start_webchat(nowhere)
    send(conversation, "Wanneer is de kermis?")
    request = do_register_request(
        nowhere.pk, actor=coordinator, reference="WOO-2026-001", received_on="2026-11-03",
        subject="Kermis",
    )  # fmt: skip
    (document,) = do_collect(
        request, actor=coordinator, conversation_ids=[conversation.pk], found_by="kermis"
    )
    do_decide_document(document, actor=coordinator, decision=Decision.PUBLIC)
    package = build_package(request)  # the documents, without DiWoo metadata
    assert "WOO-2026-001-001.pdf" in package.files
    assert not [name for name in package.files if ".diwoo." in name]
    with pytest.raises(MissingGemeentecode) as refused:
        metadata_xml(document, "WOO-2026-001-001.pdf")
    error = refused.value
    assert (error.code, error.status) == ("gemeentecode_missing", 409)
    assert "Gemeente Nergens" in error.message and "gemeentecode" in error.message


def test_hostile_characters_still_make_valid_xml(utrecht, woo_wim, utrecht_team, schema):
    conversation, _ = actions.do_start_webchat(utrecht)
    send(conversation, "Goedemiddag")
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference='W<&>"\'\x0b\u202eOOW\u200f]]>-7',
        received_on="2026-11-03", subject="<x>&amp;\x01\x0b\u202e", requester_name="Piet Vos",
        requester_contact="piet@example.nl",
    )  # fmt: skip
    (document,) = do_collect(
        request, actor=woo_wim, conversation_ids=[conversation.pk], found_by="x"
    )
    do_decide_document(document, actor=woo_wim, decision=Decision.PUBLIC)
    # characters the database itself refuses (NUL on PostgreSQL), on a copy in memory only
    document = request.documents.select_related("request__organisation").get()
    document.request.reference += "\x00\x1f\ud800\ufffe\x85!"
    name = file_name(document)
    xml, content = metadata_xml(document, name), metadata_json(document, name)
    assert _errors(schema, xml) == []
    meta = json.loads(content)
    assert _as_json(xml) == meta
    kenmerk = meta["DiWoo"]["aggregatiekenmerk"]
    assert kenmerk == "W<&>\"' \u202eOOW\u200f]]>-7 !"  # what XML allows stays, as text
    assert kenmerk in meta["DiWoo"]["titelcollectie"]["officieleTitel"]
    for control in ("\x00", "\x01", "\x0b", "\x1f", "\x85", "\ufffe"):
        assert control.encode("utf-8") not in xml and control not in content.decode("utf-8")
    assert b"Piet Vos" not in xml + content and b"piet@example.nl" not in xml + content
    # the whole package too, with the file names the package makes of the reference
    package = build_package(request)
    assert all(re.fullmatch(r"[A-Za-z0-9.-]+", n) for n in package.files)
    for n in metadata_names(document):
        assert n in package.files
