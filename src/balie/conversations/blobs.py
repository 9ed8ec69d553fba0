"""Content-addressed file storage: a file is named after the SHA-256 of its bytes.

The same bytes uploaded twice are stored once. Goes through Django's storage API so a
deployment can swap local disk for S3-compatible storage.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def blob_name(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store_blob(data: bytes) -> str:
    """Store ``data`` unless already present; return its SHA-256 hex digest."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent upload of the same bytes won the race
            default_storage.delete(saved)
    return sha256


def open_blob(sha256: str):
    return default_storage.open(blob_name(sha256), "rb")
