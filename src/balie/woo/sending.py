"""One attempt at sending a publication to the publicatiebank, continuing where the last one
stopped. The steps, in order:

1. the publication, as a concept (``publicatiestatus: concept``): the stored uuid, else one
   an interrupted attempt created (found by our kenmerk), else a new one;
2. per document with a published decision, its PDF from the package: announced
   (``POST /documenten``, which answers with the file parts the publicatiebank expects), then
   each part (``PUT``, multipart). A document complete at the publicatiebank is not sent
   again while its content is unchanged (its fingerprint: the PDF without its dates). One
   whose content changed, one half sent from an earlier rendering (a PDF rendered again
   carries new dates, so its parts cannot be mixed with the earlier ones), and one found by
   its kenmerk but never stored (its parts unknown) are removed and announced again; so is
   one whose decision is no longer public;
3. the publication made public (``publicatiestatus: gepubliceerd``), once every document is
   complete. Nothing is public before that.

Every remote id, and every part sent, is stored as soon as the publicatiebank answers, so a
crash between two calls costs at most the document being sent, never a second publication or
document. The inventarislijst and the draft decision letter are not sent.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import pikepdf
from django.utils import timezone

from balie.accounts.actors import Actor
from balie.tenants.secrets import unseal
from balie.woo.checks import WRITERS
from balie.woo.gpp import BRON, Audit, Publicatiebank, PublicatiebankError
from balie.woo.models import (
    PUBLISHED_DECISIONS,
    Document,
    Publication,
    PublicationTarget,
    PublishedDocument,
    Status,
)
from balie.woo.outcomes import PublicationRefused
from balie.woo.package import build_package, file_name
from balie.woo.review import messages_of

__all__ = ["fingerprint", "send"]

TITLE = "Woo-verzoek {reference}: {subject}"
DESCRIPTION = "Documenten die openbaar zijn gemaakt op het Woo-verzoek {reference}."
REMARKS = "Woo-verzoek {reference}: publicatie vanuit Balie"


def send(publication: Publication) -> str:
    """One attempt; the public address of the publication once it is published."""
    request = publication.request
    target = _target_for(publication)
    files = build_package(request).files  # the PDFs of the documents with a published decision
    with Publicatiebank(target.url, unseal(target.token), _audit(publication)) as bank:
        remote = _publication(bank, publication, target)
        rows = _documents(bank, publication)
        lost = bank.documents_by_kenmerk(remote) if any(r.remote_uuid is None for r in rows) else {}
        for row in rows:
            if row.file_name not in files:  # the package names its PDFs otherwise now
                raise PublicationRefused("internal", detail=row.file_name)
            _document(bank, remote, row, files[row.file_name], lost.get(str(row.key), []))
        answer = bank.update_publication(remote, _publication_body(publication, target, True))
    external = answer.get("urlPublicatieExtern")
    return external if isinstance(external, str) and external else bank.publication_url(remote)


def _target_for(publication: Publication) -> PublicationTarget:
    request = publication.request
    if request.status != Status.DECIDED:
        raise PublicationRefused("not_decided")
    person = publication.requested_by
    if not person.is_active or not Actor.of(person).has_role(request.organisation_id, WRITERS):
        raise PublicationRefused("requester_not_allowed")
    target = (
        PublicationTarget.objects.for_organisation(request.organisation_id)
        .filter(enabled=True)
        .first()
    )
    if target is None:
        raise PublicationRefused("no_publicatiebank")
    if publication.remote_uuid and publication.remote_base != target.url:
        raise PublicationRefused("target_changed")
    return target


def _audit(publication: Publication) -> Audit:
    person = publication.requested_by
    return Audit(
        user_id=f"balie:{person.get_username()}",
        user_name=person.get_full_name() or person.get_username(),
        remarks=REMARKS.format(reference=publication.request.reference),
    )


def _publication_body(
    publication: Publication, target: PublicationTarget, public: bool
) -> dict[str, Any]:
    request = publication.request
    return {
        "publicatiestatus": "gepubliceerd" if public else "concept",
        "officieleTitel": TITLE.format(reference=request.reference, subject=request.subject)[:255],
        "omschrijving": DESCRIPTION.format(reference=request.reference),
        "publisher": str(target.publisher),
        "informatieCategorieen": [str(target.category)],
        "kenmerken": [{"kenmerk": str(publication.key), "bron": BRON}],
    }


def _publication(
    bank: Publicatiebank, publication: Publication, target: PublicationTarget
) -> uuid.UUID:
    if publication.remote_uuid is not None:
        return publication.remote_uuid
    remote = bank.find_publication(str(publication.key)) or bank.create_publication(
        _publication_body(publication, target, False)
    )
    do_note_publication(publication, remote, target.url)
    return remote


def _documents(bank: Publicatiebank, publication: Publication) -> list[PublishedDocument]:
    """The rows of the documents to publish now; a document whose decision changed since an
    earlier attempt is taken out of the (still concept) publication."""
    wanted = {
        document.pk: document
        for document in publication.request.documents.filter(
            decision__in=PUBLISHED_DECISIONS
        ).order_by("number")
    }
    rows = {row.document_id: row for row in publication.documents.all()}
    for document_id, row in rows.items():
        if document_id not in wanted:
            if row.remote_uuid is not None:
                bank.delete_document(row.remote_uuid)
            do_forget_document(row)
    return [rows.get(pk) or do_add_document(publication, d) for pk, d in wanted.items()]


def _document_body(row: PublishedDocument, remote: uuid.UUID, content: bytes) -> dict[str, Any]:
    document = row.document
    messages = messages_of(document)
    created = (
        timezone.localtime(messages[0].created_at).date()
        if messages
        else document.request.decided_on or document.request.received_on
    )
    return {
        "publicatie": str(remote),
        "officieleTitel": f"{document.request.reference} · document {document.number}"[:255],
        "creatiedatum": created.isoformat(),
        "bestandsnaam": row.file_name,
        "bestandsformaat": "application/pdf",
        "bestandsomvang": len(content),
        "aanleveringBestand": "ontvangen",
        "kenmerken": [{"kenmerk": str(row.key), "bron": BRON}],
    }


def _document(
    bank: Publicatiebank,
    remote: uuid.UUID,
    row: PublishedDocument,
    content: bytes,
    lost: list[uuid.UUID],
) -> None:
    digest, print_ = hashlib.sha256(content).hexdigest(), fingerprint(content)
    known = row.remote_uuid
    if row.uploaded and row.fingerprint == print_:
        return  # complete at the publicatiebank, and still what it should be
    if row.remote_uuid is not None and (row.uploaded or row.digest != digest):
        # Complete with content that changed since, or half sent from other bytes (a PDF
        # rendered again carries new dates): the parts cannot be mixed, so start again.
        bank.delete_document(row.remote_uuid)
        do_reset_document(row)
    if row.remote_uuid is None:
        for stray in lost:  # created by an interrupted attempt, its parts unknown
            if stray != known:
                bank.delete_document(stray)
        created, parts = bank.create_document(_document_body(row, remote, content))
        if sum(part["omvang"] for part in parts) != len(content):
            bank.delete_document(created)
            raise PublicatiebankError(
                "publicatiebank_answer", detail="bestandsdelen", retryable=False
            )
        do_note_document(row, created, parts, digest, print_)
    complete, offset = False, 0
    for index, part in enumerate(row.parts):
        chunk, offset = content[offset : offset + part["omvang"]], offset + part["omvang"]
        if not part["done"]:
            complete = bank.upload_part(part["url"], chunk, row.file_name)
            do_note_part(row, index)
    if not complete and not (row.remote_uuid and bank.document_uploaded(row.remote_uuid)):
        raise PublicatiebankError("publicatiebank_upload", detail=row.file_name, retryable=True)
    do_note_uploaded(row)


def fingerprint(content: bytes) -> str:
    """SHA-256 of what a PDF shows: every stream but the XMP metadata, whose dates (like the
    document information's, which is no stream) change each time the PDF is rendered."""
    digest = hashlib.sha256()
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream) and obj.get("/Type") != "/Metadata":
                    digest.update(obj.read_raw_bytes())
    except pikepdf.PdfError:
        return hashlib.sha256(content).hexdigest()
    return digest.hexdigest()


# The bookkeeping of an attempt: each write at once, outside any longer transaction, so that
# what the publicatiebank has is known even when the next call never returns.


def do_note_publication(publication: Publication, remote: uuid.UUID, base: str) -> None:
    Publication.objects.filter(pk=publication.pk).update(remote_uuid=remote, remote_base=base)
    publication.remote_uuid, publication.remote_base = remote, base


def do_add_document(publication: Publication, document: Document) -> PublishedDocument:
    return PublishedDocument.objects.create(
        publication=publication, document=document, key=uuid.uuid4(), file_name=file_name(document)
    )


def do_forget_document(row: PublishedDocument) -> None:
    PublishedDocument.objects.filter(pk=row.pk).delete()


def do_reset_document(row: PublishedDocument) -> None:
    row.remote_uuid, row.parts, row.uploaded = None, [], False
    row.digest = row.fingerprint = ""
    row.size = 0
    row.save(update_fields=["remote_uuid", "parts", "digest", "fingerprint", "size", "uploaded"])


def do_note_document(
    row: PublishedDocument, remote: uuid.UUID, parts: list[dict], digest: str, print_: str
) -> None:
    row.remote_uuid, row.parts, row.digest, row.fingerprint = remote, parts, digest, print_
    row.size = sum(part["omvang"] for part in parts)
    row.save(update_fields=["remote_uuid", "parts", "digest", "fingerprint", "size"])


def do_note_part(row: PublishedDocument, index: int) -> None:
    row.parts[index]["done"] = True
    row.save(update_fields=["parts"])


def do_note_uploaded(row: PublishedDocument) -> None:
    row.uploaded = True
    row.save(update_fields=["uploaded"])
