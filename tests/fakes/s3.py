"""A real S3-compatible server for the tests: moto's S3 in server mode, over HTTP on
127.0.0.1 (no mock decorator: boto3 talks to it as to any store).

- ``s3_server`` (session): the server on a free port with one private bucket; gives the
  address, bucket and credentials, ``env(prefix)`` for a ``balie serve`` process, a boto3
  ``client()``, ``keys(prefix)`` and the requests it answered (``calls``).
- ``s3_storage`` (one test): Balie's settings switched to that bucket, under a key prefix of
  the test's own, through pytest-django's ``settings`` (Django's ``setting_changed`` resets
  ``storages`` and the lazy ``default_storage``; both are put back afterwards).

moto checks neither the signature nor the lifetime of a presigned link, which every real
store does. :class:`SignedLinkRules` adds both in front of it, as AWS documents them
(SigV4 query authentication: 403 ``SignatureDoesNotMatch``, 403 ``AccessDenied`` "Request has
expired"), so that a link Balie signs wrongly or for too long fails here as it would there.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import pytest
from botocore.config import Config

from balie.conf.storage import S3Options, default_storage_setting

ACCESS_KEY = "balie-test-key"
SECRET_KEY = "balie-test-secret"
REGION = "eu-central-1"
BUCKET = "balie-test"


@dataclass
class S3Server:
    endpoint: str  # http://127.0.0.1:<port>
    bucket: str = BUCKET
    region: str = REGION
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, query

    def env(self, prefix: str = "", *, downloads: str = "stream") -> dict[str, str]:
        """The environment of a Balie process that keeps its files here."""
        return {
            "BALIE_FILE_STORAGE": "s3",
            "BALIE_FILE_DOWNLOADS": downloads,
            "BALIE_S3_BUCKET": self.bucket,
            "BALIE_S3_PREFIX": prefix,
            "BALIE_S3_ENDPOINT_URL": self.endpoint,
            "BALIE_S3_REGION": self.region,
            "BALIE_S3_ACCESS_KEY_ID": self.access_key,
            "BALIE_S3_SECRET_ACCESS_KEY": self.secret_key,
        }

    def options(self, prefix: str = "", **changes: Any) -> S3Options:
        """The same, as the settings module reads it."""
        values: dict[str, Any] = {
            "bucket": self.bucket,
            "endpoint_url": self.endpoint,
            "region": self.region,
            "access_key_id": self.access_key,
            "secret_access_key": self.secret_key,
            "prefix": prefix,
            "connect_timeout": 2,
            "read_timeout": 5,
            "max_attempts": 2,
        }
        return S3Options(**{**values, **changes})

    def client(self):
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )

    def keys(self, prefix: str = "") -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def calls_since(self, mark: int, prefix: str) -> list[tuple[str, str]]:
        """(method, path) of the object requests under ``prefix`` after ``mark`` calls."""
        return [
            (method, path)
            for method, path, _query in self.calls[mark:]
            if path.startswith(f"/{self.bucket}/{prefix}")
        ]


def _error(start_response, status: str, code: str, message: str) -> list[bytes]:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()
    start_response(
        status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _uri_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


class SignedLinkRules:
    """WSGI middleware before moto: records every request, and holds presigned requests
    (``X-Amz-Signature`` in the query) to SigV4's rules for signature and lifetime."""

    def __init__(self, app, server: S3Server) -> None:
        self.app = app
        self.server = server

    def __call__(self, environ, start_response):
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
        path, _, query = raw.partition("?")
        self.server.calls.append((environ["REQUEST_METHOD"], path, query))
        params = parse_qsl(query, keep_blank_values=True)
        given = dict(params)
        if "X-Amz-Signature" in given:
            refusal = self._refusal(environ, path, params, given)
            if refusal:
                return _error(start_response, "403 Forbidden", *refusal)
        return self.app(environ, start_response)

    def _refusal(self, environ, path, params, given) -> tuple[str, str] | None:
        credential = given.get("X-Amz-Credential", "").split("/")
        if len(credential) != 5 or credential[0] != self.server.access_key:
            return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist."
        _key, day, region, _service, _end = credential
        signed_at = datetime.strptime(given["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if datetime.now(UTC) > signed_at + timedelta(seconds=int(given["X-Amz-Expires"])):
            return "AccessDenied", "Request has expired"
        canonical_query = "&".join(
            f"{_uri_encode(k)}={_uri_encode(v)}"
            for k, v in sorted(params)
            if k != "X-Amz-Signature"
        )
        host = environ.get("HTTP_HOST", "")
        canonical = "\n".join(
            [
                environ["REQUEST_METHOD"],
                path,
                canonical_query,
                f"host:{host}\n",
                given.get("X-Amz-SignedHeaders", "host"),
                "UNSIGNED-PAYLOAD",
            ]
        )
        to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                given["X-Amz-Date"],
                f"{day}/{region}/s3/aws4_request",
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )
        key = _signing_key(self.server.secret_key, day, region)
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given["X-Amz-Signature"]):
            return "SignatureDoesNotMatch", "The request signature we calculated does not match."
        return None


def _start(server: S3Server):
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args, **kwargs) -> None:  # calls are kept in server.calls
            pass

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = SignedLinkRules(DomainDispatcherApplication(create_backend_app), server)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=QuietHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    moto = Server(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    return moto


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server(endpoint="")
    moto = _start(server)
    host, port = moto.get_host_and_port()
    server.endpoint = f"http://{host}:{port}"
    server.client().create_bucket(
        Bucket=server.bucket, CreateBucketConfiguration={"LocationConstraint": server.region}
    )
    yield server
    moto.stop()


@dataclass
class S3Files:
    server: S3Server
    prefix: str

    def keys(self) -> list[str]:
        return self.server.keys(self.prefix)


@pytest.fixture
def s3_storage(s3_server, settings):
    """This test's files in the bucket, under a prefix of its own; downloads streamed
    (a test sets ``settings.FILE_DOWNLOADS = "signed"`` for links)."""
    prefix = f"test-{uuid.uuid4().hex[:12]}/"
    switch_to_s3(settings, s3_server.options(prefix))
    return S3Files(s3_server, prefix)


def switch_to_s3(settings, options: S3Options, *, downloads: str = "stream") -> None:
    """Point Balie's file settings at a bucket, as BALIE_FILE_STORAGE=s3 would."""
    settings.FILE_STORAGE = "s3"
    settings.FILE_DOWNLOADS = downloads
    settings.SIGNED_URL_SECONDS = 60
    settings.S3_BUCKET = options.bucket
    settings.S3_PREFIX = options.prefix
    settings.S3_ENDPOINT_URL = options.endpoint_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage_setting("s3", location="", s3=options, downloads=downloads),
    }


def link_parts(url: str) -> dict[str, str]:
    """The query of a signed link, by name."""
    return dict(parse_qsl(urlsplit(url).query))
