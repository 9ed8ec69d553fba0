"""Content-addressed file storage: a file is named after the SHA-256 of its bytes.

The same bytes uploaded twice are stored once. Goes through Django's storage API, so the
store is a local folder or an S3-compatible bucket (BALIE_FILE_STORAGE, decision 0032):

- a local folder refuses to overwrite, so two uploads of the same bytes at once leave one
  file and a renamed copy, which the loser removes;
- a bucket is told to overwrite (``file_overwrite``): writing the same name again writes the
  same bytes, so a concurrent upload costs one HEAD and one PUT and never an error.

A store that does not answer raises ``ConnectionError`` within its timeouts (balie.conf.s3).
"""

from __future__ import annotations

import hashlib
from typing import IO, Protocol, runtime_checkable

from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage, storages

__all__ = [
    "blob_name",
    "blob_stream",
    "in_object_store",
    "open_blob",
    "signed_blob_url",
    "signed_url_origin",
    "store_blob",
]


@runtime_checkable
class ObjectStore(Protocol):
    """What a store offers beyond Django's storage API (:class:`balie.conf.s3.S3BlobStorage`)."""

    def open_stream(self, name: str) -> File: ...

    def signed_url(
        self, name: str, *, seconds: int, content_type: str, disposition: str, cache: str
    ) -> str: ...

    def origin(self) -> str: ...


def blob_name(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store_blob(data: bytes) -> str:
    """Store ``data`` unless already present; return its SHA-256 hex digest."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # a local folder: a concurrent upload of the same bytes won the race
            default_storage.delete(saved)
    return sha256


def open_blob(sha256: str) -> IO[bytes]:
    """The stored file, seekable (from a bucket: read whole on first access)."""
    return default_storage.open(blob_name(sha256), "rb")


def in_object_store() -> bool:
    """True when files live in a bucket (BALIE_FILE_STORAGE=s3)."""
    return _object_store() is not None


def _object_store() -> ObjectStore | None:
    # The backend itself, not the lazy default_storage: Python 3.12's protocol check looks
    # at the class, which for the lazy wrapper has none of these methods.
    store = storages[DEFAULT_STORAGE_ALIAS]
    return store if isinstance(store, ObjectStore) else None


def blob_stream(sha256: str) -> File:
    """The stored file for reading once, front to back, in chunks: from a bucket, the body as
    it arrives (nothing buffered beyond the chunk read); from a folder, the open file."""
    store = _object_store()
    if store is not None:
        return store.open_stream(blob_name(sha256))
    return default_storage.open(blob_name(sha256), "rb")


def signed_blob_url(
    sha256: str, *, seconds: int, content_type: str, disposition: str, cache: str
) -> str:
    """A link straight to the store, valid ``seconds``, that answers with these headers."""
    return _signing_store().signed_url(
        blob_name(sha256),
        seconds=seconds,
        content_type=content_type,
        disposition=disposition,
        cache=cache,
    )


def signed_url_origin() -> str:
    """Scheme and host of the signed links."""
    return _signing_store().origin()


def _signing_store() -> ObjectStore:
    store = _object_store()
    if store is None:
        raise ImproperlyConfigured("signed download links need BALIE_FILE_STORAGE=s3")
    return store
