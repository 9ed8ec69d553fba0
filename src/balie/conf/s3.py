"""The S3-compatible file store (AWS S3, MinIO, Ceph, …): django-storages' ``S3Storage``
as Balie needs it (decision 0032).

- short timeouts and few retries, so an unreachable store is an error within seconds, not a
  hung request. Its failures become what a local disk raises: ``ConnectionError`` (an
  ``OSError``, naming the endpoint and bucket; a 500 to the request, which the removal jobs
  already survive, keeping the file for their next run), and ``FileNotFoundError`` for a
  missing object. Not a domain error (``balie.errors`` are the client's 4xx);
- one request per write (no multipart below 64 MB, no thread pool), and overwriting a name
  instead of Django's renaming: names are SHA-256s, so the same name is the same bytes;
- :meth:`S3BlobStorage.open_stream`: the object's body as it arrives, for downloads that
  should not hold a whole file in memory;
- :meth:`S3BlobStorage.signed_url`: a presigned GET with the answer's type and disposition,
  signed for the address browsers use (``public_endpoint_url``) when that differs.
"""

from __future__ import annotations

import logging
import threading
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

__all__ = ["S3BlobStorage"]

log = logging.getLogger(__name__)

# Attachments are at most BALIE_MAX_UPLOAD_BYTES (10 MB by default): one PUT each.
SINGLE_PUT_BYTES = 64 * 1024 * 1024


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _unavailable(storage: S3BlobStorage, action: str, error: Exception) -> ConnectionError:
    # The store's error code and class, never the credentials.
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    text = (
        f"file store {action} failed: {type(error).__name__} {code} "
        f"(endpoint {storage.endpoint_url or 'aws'}, bucket {storage.bucket_name})"
    )
    log.warning(text)
    return ConnectionError(text)


def _translated(action: str):
    """Turn the store's failures into the errors a local disk would raise."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, name, *args, **kwargs):
            try:
                return method(self, name, *args, **kwargs)
            except ClientError as error:
                if _status(error) == 404:
                    raise FileNotFoundError(f"no stored file {name}") from None
                raise _unavailable(self, action, error) from error
            except BotoCoreError as error:
                raise _unavailable(self, action, error) from error

        return wrapper

    return decorate


class S3BlobStorage(S3Storage):
    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "connect_timeout": 5,
            "read_timeout": 30,
            "max_attempts": 3,
            "public_endpoint_url": None,
        }

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.client_config = Config(
            s3={"addressing_style": self.addressing_style},
            signature_version=self.signature_version,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries={"max_attempts": self.max_attempts, "mode": "standard"},
            proxies=self.proxies,
        )
        self.transfer_config = TransferConfig(
            multipart_threshold=SINGLE_PUT_BYTES, use_threads=False
        )
        self._signer_lock = threading.Lock()
        self._signer: Any = None
        self._origin: str | None = None

    # The storage API, with the store's errors translated.
    _open = _translated("read")(S3Storage._open)
    _save = _translated("write")(S3Storage._save)
    delete = _translated("delete")(S3Storage.delete)
    exists = _translated("lookup")(S3Storage.exists)
    size = _translated("lookup")(S3Storage.size)
    listdir = _translated("list")(S3Storage.listdir)

    @_translated("read")
    def open_stream(self, name: str) -> File:
        """The object's body as it arrives (``read(n)``, ``close()``, ``size``); nothing is
        buffered beyond what is read."""
        key = self._normalize_name(clean_name(name))
        answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        stream = File(answer["Body"], name=name)
        stream.size = answer["ContentLength"]
        return stream

    def signed_url(
        self, name: str, *, seconds: int, content_type: str, disposition: str, cache: str
    ) -> str:
        """A presigned GET valid ``seconds``; the store answers with these headers."""
        params = {
            "Bucket": self.bucket_name,
            "Key": self._normalize_name(clean_name(name)),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": cache,
        }
        return self._signing_client().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=seconds
        )

    def origin(self) -> str:
        """Scheme and host of the signed links (for the pages' Content-Security-Policy)."""
        if self._origin is None:
            link = urlsplit(
                self._signing_client().generate_presigned_url(
                    "get_object", Params={"Bucket": self.bucket_name, "Key": "x"}, ExpiresIn=60
                )
            )
            self._origin = f"{link.scheme}://{link.netloc}"
        return self._origin

    def _signing_client(self):
        if not self.public_endpoint_url:
            return self.connection.meta.client
        with self._signer_lock:  # signing is local: one client serves every thread
            if self._signer is None:
                self._signer = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    endpoint_url=self.public_endpoint_url,
                    config=self.client_config,
                    verify=self.verify,
                )
            return self._signer
