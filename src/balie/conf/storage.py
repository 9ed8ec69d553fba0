"""Where the bytes of attachments live: a local directory, or an S3-compatible bucket.

``conf/settings.py`` reads the BALIE_FILE_STORAGE and BALIE_S3_* settings and builds Django's
``STORAGES["default"]`` with :func:`default_storage_setting`; the tests' ``s3_storage``
fixture builds it the same way. The S3 backend itself is :mod:`balie.conf.s3`, imported only
when it is configured (boto3 costs a third of a second to import). Decision 0032.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = ["DOWNLOAD_MODES", "S3Options", "default_storage_setting"]

DOWNLOAD_MODES = ("stream", "signed")
SSE_MODES = ("", "AES256", "aws:kms")
# A presigned URL of signature version 4 lives at most a week.
MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class S3Options:
    """The BALIE_S3_* settings, as ``conf/settings.py`` read them."""

    bucket: str
    endpoint_url: str = ""
    public_endpoint_url: str = ""
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    prefix: str = ""
    addressing_style: str = ""
    verify_tls: bool = True
    ca_bundle: str = ""
    sse: str = ""
    sse_kms_key_id: str = ""
    connect_timeout: int = 5
    read_timeout: int = 30
    max_attempts: int = 3


def default_storage_setting(
    kind: str, *, location: str, s3: S3Options | None = None, downloads: str = "stream"
) -> dict[str, Any]:
    """``STORAGES["default"]`` for ``kind`` (``local`` or ``s3``); refuses a combination
    that cannot work, at start-up rather than at the first upload."""
    if downloads not in DOWNLOAD_MODES:
        raise ImproperlyConfigured(f"BALIE_FILE_DOWNLOADS is stream or signed, not {downloads!r}")
    if kind == "local":
        if downloads == "signed":
            raise ImproperlyConfigured(
                "BALIE_FILE_DOWNLOADS=signed needs BALIE_FILE_STORAGE=s3: a local directory "
                "cannot sign a link"
            )
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"BALIE_FILE_STORAGE is local or s3, not {kind!r}")
    if s3 is None or not s3.bucket:
        raise ImproperlyConfigured("BALIE_FILE_STORAGE=s3 needs BALIE_S3_BUCKET")
    return {"BACKEND": "balie.conf.s3.S3BlobStorage", "OPTIONS": s3_storage_options(s3)}


def s3_storage_options(s3: S3Options) -> dict[str, Any]:
    """The options of :class:`balie.conf.s3.S3BlobStorage` (django-storages' names, and
    Balie's own for timeouts, retries and the public endpoint)."""
    if bool(s3.access_key_id) != bool(s3.secret_access_key):
        raise ImproperlyConfigured(
            "Set both BALIE_S3_ACCESS_KEY_ID and BALIE_S3_SECRET_ACCESS_KEY, or neither "
            "(then the standard AWS environment, profile or instance role is used)"
        )
    if s3.sse not in SSE_MODES:
        raise ImproperlyConfigured(f"BALIE_S3_SSE is empty, AES256 or aws:kms, not {s3.sse!r}")
    if s3.addressing_style not in ("", "path", "virtual"):
        raise ImproperlyConfigured(
            f"BALIE_S3_ADDRESSING_STYLE is path or virtual, not {s3.addressing_style!r}"
        )
    object_parameters: dict[str, str] = {}
    if s3.sse:
        object_parameters["ServerSideEncryption"] = s3.sse
    if s3.sse == "aws:kms" and s3.sse_kms_key_id:
        object_parameters["SSEKMSKeyId"] = s3.sse_kms_key_id
    return {
        "bucket_name": s3.bucket,
        "location": s3.prefix.strip("/"),
        "endpoint_url": s3.endpoint_url or None,
        "public_endpoint_url": s3.public_endpoint_url or None,
        "region_name": s3.region or None,
        # Empty: boto3's own chain (AWS_* environment, profile, instance or pod role).
        "access_key": s3.access_key_id or None,
        "secret_key": s3.secret_access_key or None,
        # Path style for MinIO, Ceph and the like behind their own address; virtual hosts
        # for AWS itself.
        "addressing_style": s3.addressing_style or ("path" if s3.endpoint_url else "virtual"),
        "signature_version": "s3v4",
        "verify": (s3.ca_bundle or None) if s3.verify_tls else False,
        "object_parameters": object_parameters,
        "default_acl": None,  # the bucket's own: private
        # Content-addressed: the same name is the same bytes, so writing it again is
        # harmless, and Django's renaming (one request per try) is not wanted.
        "file_overwrite": True,
        "querystring_auth": True,
        "connect_timeout": s3.connect_timeout,
        "read_timeout": s3.read_timeout,
        "max_attempts": s3.max_attempts,
    }
