"""MDTO sidecars: the XML an e-Depot reads for every informatieobject and bestand.

MDTO (Metagegevens voor duurzaam toegankelijke overheidsinformatie) is the Nationaal
Archief's metadata standard; this module writes its XML schema version 1.0.1, one document per
object (the schema's root holds one ``informatieobject`` or one ``bestand``). Dataclasses in,
UTF-8 bytes out, with the standard's Dutch names and the begrippen of its begrippenlijsten.
Nothing here knows Balie's models: :mod:`balie.records.transfer` fills the dataclasses.

Every text goes through :func:`xml_text`, which replaces what XML 1.0 cannot hold (control
characters such as NUL or vertical tab, U+FFFE, lone surrogates) by U+FFFD, so no message or
subject can make a sidecar invalid. The tests validate the output against the schema, vendored
in ``tests/records/schemas/mdto/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree as ET

__all__ = [
    "Begrip",
    "Bestand",
    "Event",
    "Ident",
    "Informatieobject",
    "Reference",
    "Term",
    "bestand_xml",
    "file_format",
    "informatieobject_xml",
    "xml_text",
]

NAMESPACE = "https://www.nationaalarchief.nl/mdto"
VERSION = "1.0.1"
SCHEMA_LOCATION = f"{NAMESPACE} {NAMESPACE}/MDTO-XML{VERSION}.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

# The begrippenlijsten, named as the Nationaal Archief's examples name them.
AGGREGATIENIVEAUS = "Begrippenlijst Aggregatieniveaus MDTO"
WAARDERINGEN = "Begrippenlijst Waarderingen MDTO"
EVENTTYPEN = "Begrippenlijst EventTypeLijst MDTO"
BEPERKINGEN = "Begrippenlijst BeperkingGebruikTypeLijst MDTO"
CHECKSUMALGORITMEN = "Begrippenlijst ChecksumAlgoritme MDTO"
PRONOM = "PRONOM-register"
MEDIA_TYPES = "IANA Media types"

# What XML 1.0 allows: tab, newline, carriage return and U+0020 onwards, without the
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")  # xsd:language


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class Ident:
    """identificatieGegevens: a kenmerk and where it comes from."""

    kenmerk: str
    bron: str


@dataclass(frozen=True)
class Reference:
    """verwijzingGegevens: the name of what is referred to, and its identificatie."""

    naam: str
    ident: Ident | None = None


@dataclass(frozen=True)
class Begrip:
    """begripGegevens: a concept from a begrippenlijst."""

    label: str
    lijst: str
    code: str | None = None


@dataclass(frozen=True)
class Event:
    type: Begrip
    at: datetime
    actor: Reference | None = None


@dataclass(frozen=True)
class Term:
    """termijnGegevens: from ``start``, ``duration`` (xsd:duration) long, ending on ``end``."""

    start: date
    duration: str
    end: date


@dataclass(frozen=True)
class Informatieobject:
    ident: Ident
    naam: str
    aggregatieniveau: Begrip
    waardering: Begrip
    archiefvormer: Reference
    beperking: Begrip
    omschrijving: tuple[str, ...] = ()
    taal: str = ""
    events: tuple[Event, ...] = ()
    bewaartermijn: Term | None = None
    informatiecategorie: Begrip | None = None
    representaties: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Bestand:
    ident: Ident
    naam: str
    omvang: int
    formaat: Begrip
    sha256: str
    checksum_at: datetime
    representatie_van: Reference


ARCHIEFSTUK = Begrip("Archiefstuk", AGGREGATIENIVEAUS)
BLIJVEND_TE_BEWAREN = Begrip("Blijvend te bewaren", WAARDERINGEN, "B")
TIJDELIJK_TE_BEWAREN = Begrip("Tijdelijk te bewaren", WAARDERINGEN, "V")
WAARDERING_NADER_TE_BEPALEN = Begrip("Nader te bepalen", WAARDERINGEN, "N")
BEPERKING_NADER_TE_BEPALEN = Begrip("Nader te bepalen", BEPERKINGEN)
OPNAME = Begrip("Opname", EVENTTYPEN)
BEVRIEZING = Begrip("Bevriezing", EVENTTYPEN)
EXPORT = Begrip("Export", EVENTTYPEN)
SHA_256 = Begrip("SHA-256", CHECKSUMALGORITMEN)
JSON_FORMAT = Begrip("JSON Data Interchange Format", PRONOM, "fmt/817")

_PDF_PUIDS = {"1.0": "fmt/14", "1.1": "fmt/15", "1.2": "fmt/16", "1.3": "fmt/17",
              "1.4": "fmt/18", "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276"}  # fmt: skip
_PDF_HEADER = re.compile(rb"%PDF-(\d\.\d)")


def file_format(content_type: str, head: bytes) -> Begrip:
    """The bestandsformaat: the PRONOM format where the first bytes name its version (PDF,
    GIF), else the media type that ``conversations.files`` sniffed (the e-Depot's own format
    identification then gives the PRONOM id)."""
    if content_type == "application/pdf" and (match := _PDF_HEADER.match(head)):
        version = match.group(1).decode()
        if version == "2.0":
            return Begrip("PDF 2.0 - Portable Document Format", PRONOM, "fmt/1129")
        if version in _PDF_PUIDS:
            label = f"Acrobat PDF {version} - Portable Document Format"
            return Begrip(label, PRONOM, _PDF_PUIDS[version])
    if content_type == "image/gif" and head[:6] in (b"GIF87a", b"GIF89a"):
        version = head[3:6].decode()
        puid = "fmt/3" if version == "87a" else "fmt/4"
        return Begrip(f"Graphics Interchange Format {version}", PRONOM, puid)
    return Begrip(content_type, MEDIA_TYPES)


def informatieobject_xml(record: Informatieobject) -> bytes:
    """The sidecar of an informatieobject, its elements in the schema's order."""
    root, body = _document("informatieobject")
    _ident(body, "identificatie", record.ident)
    _text(body, "naam", record.naam)
    _begrip(body, "aggregatieniveau", record.aggregatieniveau)
    for text in record.omschrijving:
        _text(body, "omschrijving", text)
    if _LANGUAGE.fullmatch(record.taal):
        _text(body, "taal", record.taal)
    for event in record.events:
        _event(body, event)
    _begrip(body, "waardering", record.waardering)
    if record.bewaartermijn is not None:
        _term(body, "bewaartermijn", record.bewaartermijn)
    if record.informatiecategorie is not None:
        _begrip(body, "informatiecategorie", record.informatiecategorie)
    for representatie in record.representaties:
        _reference(body, "heeftRepresentatie", representatie)
    _reference(body, "archiefvormer", record.archiefvormer)
    _begrip(_sub(body, "beperkingGebruik"), "beperkingGebruikType", record.beperking)
    return _serialise(root)


def bestand_xml(file: Bestand) -> bytes:
    """The sidecar of a bestand: its size, format and SHA-256."""
    root, body = _document("bestand")
    _ident(body, "identificatie", file.ident)
    _text(body, "naam", file.naam)
    _text(body, "omvang", str(file.omvang))
    _begrip(body, "bestandsformaat", file.formaat)
    checksum = _sub(body, "checksum")
    _begrip(checksum, "checksumAlgoritme", SHA_256)
    _text(checksum, "checksumWaarde", file.sha256)
    _text(checksum, "checksumDatum", _moment(file.checksum_at))
    _reference(body, "isRepresentatieVan", file.representatie_van)
    return _serialise(root)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _document(kind: str) -> tuple[ET.Element, ET.Element]:
    root = ET.Element(_q("MDTO"), {f"{{{_XSI}}}schemaLocation": SCHEMA_LOCATION})
    return root, _sub(root, kind)


def _sub(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, _q(name))


def _text(parent: ET.Element, name: str, text: str) -> None:
    _sub(parent, name).text = xml_text(text)


def _ident(parent: ET.Element, name: str, ident: Ident) -> None:
    element = _sub(parent, name)
    _text(element, "identificatieKenmerk", ident.kenmerk)
    _text(element, "identificatieBron", ident.bron)


def _reference(parent: ET.Element, name: str, reference: Reference) -> None:
    element = _sub(parent, name)
    _text(element, "verwijzingNaam", reference.naam)
    if reference.ident is not None:
        _ident(element, "verwijzingIdentificatie", reference.ident)


def _begrip(parent: ET.Element, name: str, begrip: Begrip) -> None:
    element = _sub(parent, name)
    _text(element, "begripLabel", begrip.label)
    if begrip.code:
        _text(element, "begripCode", begrip.code)
    _reference(element, "begripBegrippenlijst", Reference(begrip.lijst))


def _event(parent: ET.Element, event: Event) -> None:
    element = _sub(parent, "event")
    _begrip(element, "eventType", event.type)
    _text(element, "eventTijd", _moment(event.at))
    if event.actor is not None:
        _reference(element, "eventVerantwoordelijkeActor", event.actor)


def _term(parent: ET.Element, name: str, term: Term) -> None:
    element = _sub(parent, name)
    _text(element, "termijnStartdatumLooptijd", term.start.isoformat())
    _text(element, "termijnLooptijd", term.duration)
    _text(element, "termijnEinddatum", term.end.isoformat())


def _moment(moment: datetime) -> str:
    """xsd:dateTime with its offset, to the second."""
    return moment.replace(microsecond=0).isoformat()


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=NAMESPACE)
