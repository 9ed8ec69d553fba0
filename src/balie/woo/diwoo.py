"""DiWoo metadata for each published document of a Woo request: the sitemap extension of the
Woo-index (https://standaarden.overheid.nl/diwoo/metadata/), as XML and as the same values in
JSON, one file each beside the document's PDF.

The values come from the request's reference, the document's number, its dates and the
decision, never from message bodies, attachment names or the requester: nothing that a
redaction hides can reach these files. The publisher is the municipality's TOOI identifier,
made from its gemeentecode; an organisation without one gets :class:`MissingGemeentecode`
instead of a file the Woo-index would refuse. Texts go through :func:`clean` first, so that no
character XML 1.0 forbids (NUL, most control characters) reaches the XML.

The JSON uses DiWoo's own element names, so that it corresponds to the XML one to one: a
``{"resource", "label"}`` pair is an element with a ``resource`` attribute and the label as
its text, a list is a container with one child per item (``identifiers`` → ``identifier``).
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict
from balie.tenants.models import Organisation
from balie.woo.models import Decision, Document
from balie.woo.review import messages_of

__all__ = [
    "DECISION_NL",
    "INFORMATIECATEGORIE",
    "NAMESPACE",
    "MissingGemeentecode",
    "clean",
    "creation_date",
    "metadata",
    "metadata_json",
    "metadata_xml",
    "publisher",
    "to_json",
    "to_xml",
]

NAMESPACE = "https://standaarden.overheid.nl/diwoo/metadata/"
TOOI_KERN = "https://identifier.overheid.nl/tooi/def/thes/kern/"
# The TOOI value lists the DiWoo XSD restricts these to (scw_woo_informatiecategorieen,
# ccw_plooi_documenthandelingen; the EU vocabularies for language and file type).
INFORMATIECATEGORIE = {"resource": TOOI_KERN + "c_3baef532", "label": "Woo-verzoeken en -besluiten"}
VASTSTELLING = {"resource": TOOI_KERN + "c_641ecd76", "label": "vaststelling"}
LANGUAGE = {
    "resource": "http://publications.europa.eu/resource/authority/language/NLD",
    "label": "Nederlands",
}
FORMAT = {
    "resource": "http://publications.europa.eu/resource/authority/file-type/PDF",
    "label": "PDF",
}
DECISION_NL: dict[str, str] = {
    Decision.PUBLIC: "openbaar",
    Decision.PARTLY_PUBLIC: "deels openbaar",
    Decision.NOT_PUBLIC: "niet openbaar",
    Decision.ALREADY_PUBLIC: "reeds openbaar",
}
# A container holds one child per item of its list.
ITEMS = {
    "identifiers": "identifier",
    "omschrijvingen": "omschrijving",
    "informatiecategorieen": "informatiecategorie",
    "documenthandelingen": "documenthandeling",
}
NONCHARACTERS = {"\ufffe", "\uffff"}

ET.register_namespace("diwoo", NAMESPACE)


class MissingGemeentecode(Conflict):
    """The organisation has no gemeentecode, so no TOOI identifier to publish under (409)."""

    default_code = "gemeentecode_missing"
    default_message = _(
        "%(organisation)s has no gemeentecode, so the DiWoo metadata cannot name it as the "
        "publisher. Set the gemeentecode first."
    )


def clean(text: str) -> str:
    """One line of text that XML 1.0 allows: white space of any kind (line breaks, tabs,
    vertical tab, U+2028) becomes one space, other control characters, surrogates and the
    noncharacters U+FFFE/U+FFFF are left out. Letters of every script, and direction marks,
    stay: they are text, and the XML escapes ``<``, ``&`` and quotes."""
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs") and ch not in NONCHARACTERS:
            kept.append(ch)
    return " ".join("".join(kept).split())


def publisher(organisation: Organisation) -> dict[str, str]:
    """The municipality as a TOOI resource: its URI from the gemeentecode, its name as label."""
    if not organisation.tooi_uri:
        raise MissingGemeentecode(params={"organisation": organisation.name})
    return {
        "resource": organisation.tooi_uri,
        "label": clean(organisation.name),
    }


def creation_date(document: Document) -> datetime.date:
    """The day of the document's first message (the conversation's start when none is left)."""
    messages = messages_of(document)
    moment = messages[0].created_at if messages else document.conversation.created_at
    return timezone.localdate(moment)


def _dutch_date(day: datetime.date) -> str:
    with translation.override("nl"):
        return formats.date_format(day, "j F Y")


def _omschrijving(document: Document, reference: str) -> str:
    decision = DECISION_NL.get(document.decision, "nog niet besloten")
    text = (
        f"Chatgesprek, document {document.number} bij Woo-verzoek {reference}. Besluit: {decision}"
    )
    if document.grounds:
        articles = ", ".join(f"artikel {clean(str(g))} Woo" for g in document.grounds)
        text += f"; weigeringsgronden: {articles}"
    return text + "."


def metadata(document: Document, file_name: str) -> dict[str, Any]:
    """The DiWoo metadata of the document published as ``file_name``, in DiWoo's names."""
    request = document.request
    organisation = publisher(request.organisation)
    reference = clean(request.reference)
    created = creation_date(document)
    decided = request.decided_on or timezone.localdate()
    decided_at = timezone.make_aware(datetime.datetime.combine(decided, datetime.time.min))
    title = (
        f"Woo-verzoek {reference}, document {document.number}: chatgesprek van "
        f"{_dutch_date(created)}"
    )
    # copies, so that a caller changing its dict never changes the constants
    return {
        "DiWoo": {
            "identifiers": [clean(file_name)],
            "publisher": dict(organisation),
            "verantwoordelijke": dict(organisation),
            "titelcollectie": {"officieleTitel": title},
            "omschrijvingen": [_omschrijving(document, reference)],
            "classificatiecollectie": {"informatiecategorieen": [dict(INFORMATIECATEGORIE)]},
            "creatiedatum": created.isoformat(),
            "language": dict(LANGUAGE),
            "format": dict(FORMAT),
            "aggregatiekenmerk": reference,
            "documenthandelingen": [
                {
                    "soortHandeling": dict(VASTSTELLING),
                    "atTime": decided_at.isoformat(),
                    "wasAssociatedWith": dict(organisation),
                }
            ],
        }
    }


def _element(parent: ET.Element, name: str, value: Any) -> None:
    tag = f"{{{NAMESPACE}}}{name}"
    if isinstance(value, list):
        container = ET.SubElement(parent, tag)
        for item in value:
            _element(container, ITEMS[name], item)
    elif isinstance(value, dict) and set(value) == {"resource", "label"}:
        ET.SubElement(parent, tag, {"resource": value["resource"]}).text = value["label"]
    elif isinstance(value, dict):
        child = ET.SubElement(parent, tag)
        for key, item in value.items():
            _element(child, key, item)
    else:
        ET.SubElement(parent, tag).text = str(value)


def to_xml(meta: dict[str, Any]) -> bytes:
    """Metadata from :func:`metadata` as a ``diwoo:Document`` in UTF-8."""
    root = ET.Element(f"{{{NAMESPACE}}}Document")
    for name, value in meta.items():
        _element(root, name, value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def to_json(meta: dict[str, Any]) -> bytes:
    """Metadata from :func:`metadata` as JSON in UTF-8, keys in DiWoo's names."""
    return json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def metadata_xml(document: Document, file_name: str) -> bytes:
    """The metadata as XML, valid against the DiWoo metadata XSD."""
    return to_xml(metadata(document, file_name))


def metadata_json(document: Document, file_name: str) -> bytes:
    """The same metadata as JSON."""
    return to_json(metadata(document, file_name))
