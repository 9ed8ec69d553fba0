"""The package a transfer writes: per conversation a directory with its transcript, its
attachments and an MDTO sidecar for each of them and for the conversation itself, and a
manifest of every file's SHA-256 (``sha256sum -c`` format).

The layout follows the MDTO SIP specification (sidecars ``<naam>.MDTO.xml`` for an
informatieobject, ``<file>.bestand.MDTO.xml`` beside each file). A conversation is one
informatieobject of aggregatieniveau *Archiefstuk*, like an e-mail with its attachments: the
transcript and the attachments together are its representation. Names come from ids only.
Attachments are copied from the content-addressed store as uploaded (the originals, not the
display copies without metadata) and checked against their stored SHA-256 on the way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.models import RecordClass, Waardering
from balie.conversations.blobs import open_blob
from balie.conversations.models import Attachment, Conversation, ConversationKind, Message
from balie.errors import Invalid
from balie.records import mdto
from balie.records.retention import trigger_date
from balie.records.terms import Retention
from balie.records.transcripts import attachment_file, transcript
from balie.tenants.models import Organisation

__all__ = ["MANIFEST", "Written", "TransferRefused", "write_package"]

MANIFEST = "checksums.sha256"
_CHUNK = 1 << 20
_KINDS: dict[str, str] = {
    ConversationKind.LIVE: "gevoerd in Balie",
    ConversationKind.IMPORTED: "geïmporteerd uit de export van een telefoon",
}


class TransferRefused(Invalid):
    """The export cannot be made as asked; nothing was written."""

    default_code = "transfer_refused"


@dataclass(frozen=True)
class Written:
    files: int  # transcripts and attachments, without the sidecars and the manifest
    size: int  # their bytes


@dataclass(frozen=True)
class _File:
    path: str  # relative to the package
    sha256: str
    size: int
    formaat: mdto.Begrip

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def write_package(
    root: Path,
    organisation: Organisation,
    conversations: list[Conversation],
    *,
    now: datetime,
    exporter: mdto.Reference,
) -> Written:
    """Write the package into the (empty) directory ``root``."""
    package = _Package(root)
    writer = _Writer(package, organisation, now, exporter)
    for conversation in conversations:
        writer.conversation(conversation)
    package.write_manifest()
    return Written(package.files, package.size)


class _Package:
    """The directory being filled; remembers each file's SHA-256 for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sums: dict[str, str] = {}
        self.files = self.size = 0

    def write(self, relative: str, data: bytes) -> str:
        path = self.root / relative
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        self.sums[relative] = hashlib.sha256(data).hexdigest()
        return self.sums[relative]

    def copy(self, relative: str, source: IO[bytes]) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        with open(self.root / relative, "xb") as target:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        self.sums[relative] = digest.hexdigest()
        return self.sums[relative], size

    def count(self, file: _File) -> None:
        self.files += 1
        self.size += file.size

    def write_manifest(self) -> None:
        lines = (f"{sha}  {name}\n" for name, sha in sorted(self.sums.items()))
        (self.root / MANIFEST).write_text("".join(lines), encoding="utf-8")


class _Writer:
    """One conversation after another: its files, their sidecars, then its own sidecar."""

    def __init__(
        self, package: _Package, organisation: Organisation, now: datetime, exporter: mdto.Reference
    ) -> None:
        self.package = package
        self.organisation = organisation
        self.now = now
        self.exporter = exporter
        self.bron = f"Balie, {organisation.name}"

    def conversation(self, conversation: Conversation) -> None:
        stem = f"gesprek-{conversation.pk}"
        messages = list(Message.objects.filter(conversation=conversation).order_by("seq"))
        sent = Attachment.objects.filter(conversation=conversation, message__isnull=False)
        attachments = list(sent.order_by("pk"))
        text = transcript(conversation, messages, attachments, self.organisation)
        path = f"{stem}/{stem}-transcript.json"
        files = [_File(path, self.package.write(path, text), len(text), mdto.JSON_FORMAT)]
        files += [self._attachment(stem, attachment) for attachment in attachments]
        record = self._record(conversation, stem, files)
        for file in files:
            self.package.count(file)
            sidecar = mdto.Bestand(
                self._ident(file), file.name, file.size, file.formaat, file.sha256, self.now,
                mdto.Reference(record.naam, record.ident),
            )  # fmt: skip
            self.package.write(f"{file.path}.bestand.MDTO.xml", mdto.bestand_xml(sidecar))
        self.package.write(f"{stem}/{stem}.MDTO.xml", mdto.informatieobject_xml(record))

    def _attachment(self, stem: str, attachment: Attachment) -> _File:
        path = f"{stem}/{attachment_file(attachment)}"
        try:
            with open_blob(attachment.sha256) as source:
                head = source.read(16)
                source.seek(0)
                sha, size = self.package.copy(path, source)
        except FileNotFoundError:
            head, sha, size = b"", "", -1
        if sha != attachment.sha256 or size != attachment.size:
            raise TransferRefused(
                "damaged_file",
                _("The stored file of attachment %(id)s is missing or does not match its "
                  "SHA-256: restore it from a backup first."),
                params={"id": attachment.pk},
            )  # fmt: skip
        return _File(path, sha, size, mdto.file_format(attachment.content_type, head))

    def _ident(self, file: _File) -> mdto.Ident:
        return mdto.Ident(file.name.split(".", 1)[0], self.bron)

    def _record(
        self, conversation: Conversation, stem: str, files: list[_File]
    ) -> mdto.Informatieobject:
        record_class = conversation.record_class
        started = timezone.localtime(conversation.created_at)
        closed = timezone.localtime(conversation.closed_at or self.now)
        return mdto.Informatieobject(
            ident=mdto.Ident(stem, self.bron),
            naam=f"Gesprek {conversation.pk} van {started.date().isoformat()}",
            aggregatieniveau=mdto.ARCHIEFSTUK,
            waardering=_waardering(record_class),
            archiefvormer=archiefvormer(self.organisation),
            beperking=mdto.BEPERKING_NADER_TE_BEPALEN,
            omschrijving=_omschrijving(conversation),
            taal=conversation.language,
            events=(
                mdto.Event(mdto.OPNAME, started),
                mdto.Event(mdto.BEVRIEZING, closed),
                mdto.Event(mdto.EXPORT, self.now, self.exporter),
            ),
            bewaartermijn=_bewaartermijn(conversation, record_class),
            informatiecategorie=_informatiecategorie(record_class, self.organisation),
            representaties=tuple(mdto.Reference(f.name, self._ident(f)) for f in files),
        )


def archiefvormer(organisation: Organisation) -> mdto.Reference:
    """The organisation, identified by its TOOI URI (from the gemeentecode) or else its OIN."""
    ident = None
    if organisation.tooi_uri:
        ident = mdto.Ident(organisation.tooi_uri, "TOOI")
    elif organisation.oin:
        ident = mdto.Ident(organisation.oin, "OIN")
    return mdto.Reference(organisation.name, ident)


def _waardering(record_class: RecordClass | None) -> mdto.Begrip:
    if record_class is None:
        return mdto.WAARDERING_NADER_TE_BEPALEN
    if record_class.waardering == Waardering.KEEP:
        return mdto.BLIJVEND_TE_BEWAREN
    return mdto.TIJDELIJK_TE_BEWAREN


def _omschrijving(conversation: Conversation) -> tuple[str, ...]:
    lines = [f"Chatgesprek via {conversation.channel}, {_KINDS.get(conversation.kind, '')}"]
    if conversation.subject:
        lines.append(f"Onderwerp: {conversation.subject}")
    if conversation.case_reference:
        lines.append(f"Zaaknummer: {conversation.case_reference}")
    return tuple(lines)


def _bewaartermijn(conversation: Conversation, record_class: RecordClass | None):
    """The retention term of a *vernietigen* class; a *bewaren* class has none."""
    if record_class is None or record_class.waardering != Waardering.DESTROY:
        return None
    start = trigger_date(conversation, record_class.trigger)
    if start is None:
        return None
    retention = Retention.parse(record_class.retention)
    end = retention.after(start)
    return mdto.Term(timezone.localtime(start).date(), xsd_duration(retention),
                     timezone.localtime(end).date())  # fmt: skip


def xsd_duration(retention: Retention) -> str:
    """The term as xsd:duration, which knows no weeks (P2W is written P14D)."""
    parts = ((retention.years, "Y"), (retention.months, "M"), (retention.days, "D"))
    return "P" + "".join(f"{n}{unit}" for n, unit in parts if n)


def _informatiecategorie(
    record_class: RecordClass | None, organisation: Organisation
) -> mdto.Begrip | None:
    """The record class, as a category of the selectielijst it follows: the class's
    selectielijst reference names the list, else the organisation's classes in Balie do."""
    if record_class is None:
        return None
    lijst = record_class.selectielijst_reference or (
        f"Categorieën en bewaartermijnen van {organisation.name} in Balie"
    )
    return mdto.Begrip(record_class.name, lijst, record_class.code)
