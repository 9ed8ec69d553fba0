"""A local stand-in for Meta's Graph API (the WhatsApp Cloud API part Balie uses): a real
HTTP server on 127.0.0.1 that checks every request against Meta's published OpenAPI
description (``contract/business-messaging-api_v23.0.yaml``, through openapi-core, with the
two corrections the contract's README explains) and against what the documentation adds
(the upload's form fields), and answers in the documented shapes, checking its own answers
too.

Operations: ``POST /{version}/{phone number id}/messages`` (sendMessage),
``POST /{version}/{phone number id}/media`` (the upload, uploadImage in the contract),
``GET /{version}/{media id}`` (retrieveMediaUrl) and the download of a file from the URL
that answer gave (downloadMedia; here on this server, ``/whatsapp_business/attachments/``).

It keeps what it was sent (``sent``: each message body; ``uploads``: each file) and serves
files added with :meth:`add_media`. It can be told to fail: a call answered with 500, a
connection dropped before the call is handled, an answer lost after it was handled, an
answer that comes too late, or a Graph error (``refuse``). Whatever the contract refuses
lands in ``violations``; a test asserts that it stays empty.

The server, the failures and the contract checks are :mod:`tests.fakes`'s; this module holds
the Graph API's own: its routes, the contract's corrections, its errors and its operations.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import ImmutableMultiDict

from tests.fakes import Answer, Call, ContractFake, RawRequest, Upload, multipart

CONTRACT = Path(__file__).parent / "contract" / "business-messaging-api_v23.0.yaml"
GRAPH = "https://graph.facebook.com"  # the contract's server; paths are checked under it
DOWNLOADS = "/whatsapp_business/attachments/"
ERRORS = {  # Graph's error code and title for the fake's own answers
    400: (100, "Invalid parameter"),
    401: (190, "Invalid OAuth access token"),
    404: (100, "Unknown path"),
    500: (2, "Service temporarily unavailable"),
}


@cache
def contract() -> OpenAPI:
    """The vendored contract with its two corrections (see contract/README.md)."""
    with CONTRACT.open("rb") as handle:
        spec = yaml.load(handle, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe C loader
    for schema in spec["components"]["schemas"].values():
        branches = schema.get("allOf", []) if isinstance(schema, dict) else []
        closed = [
            b for b in branches if isinstance(b, dict) and b.get("additionalProperties") is False
        ]
        for branch in closed:  # 1: "no other properties" over the whole allOf, not one branch
            del branch["additionalProperties"]
            schema["unevaluatedProperties"] = False
    upload = spec["paths"]["/{Version}/{Phone-Number-ID}/media"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    form["properties"]["file"] = {"format": "binary"}  # 2: a file part is bytes, not a string
    # The file as published is not a valid OpenAPI 3.1 document (components.parameterGroups),
    # so the check of the description itself is off; requests are still checked in full.
    return OpenAPI.from_dict(copy.deepcopy(spec), config=Config(spec_validator_cls=None))


@dataclass
class Refusal:
    """A Graph error answer: ``{"error": {"message", "type", "code", "error_data"}}``."""

    status: int
    code: int
    title: str


class FakeGraph(ContractFake):
    token_scheme = "Bearer"
    server_url = GRAPH  # paths are checked under the contract's server

    def __init__(
        self,
        token: str,
        *,
        phone_number_id: str,
        version: str = "v21.0",
        check_contract: bool = True,
    ) -> None:
        super().__init__(token)
        # off only in bench/channel_webhooks.py: it measures Balie
        self.check_contract = check_contract
        self.phone_number_id = phone_number_id
        self.version = version
        self.sent: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self._ids = itertools.count(1)
        self._refusals: dict[str, list[Refusal]] = {}

    @property
    def base_url(self) -> str:
        """What an account's ``graph_url`` is set to."""
        return f"{self.url}/{self.version}"

    # preparing

    def add_media(self, data: bytes, mime_type: str) -> str:
        """A file a resident sent: its media id."""
        media_id = str(900_000_000 + next(self._ids))
        self.media[media_id] = (data, mime_type)
        return media_id

    # telling it to fail, besides FakeServer's failures

    def refuse(self, operation: str, *, status: int = 400, code: int, title: str) -> None:
        """The next call of ``operation`` is answered with this Graph error."""
        self._refusals.setdefault(operation, []).append(Refusal(status, code, title))

    def heal(self) -> None:
        super().heal()
        self._refusals.clear()

    # routing and checking

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        prefix = f"/{self.version}/"
        if method == "GET" and path == DOWNLOADS:
            return "downloadMedia", {}
        if not path.startswith(prefix):
            return "unknown", {}
        rest = path[len(prefix) :].split("/")
        if method == "POST" and len(rest) == 2 and rest[1] in ("messages", "media"):
            operation = "sendMessage" if rest[1] == "messages" else "uploadMedia"
            return operation, {"phone_number_id": rest[0]}
        if method == "GET" and len(rest) == 1 and rest[0]:
            return "retrieveMediaUrl", {"media_id": rest[0]}
        return "unknown", {}

    def openapi(self) -> OpenAPI | None:
        return contract() if self.check_contract else None

    def openapi_request(self, call: Call) -> RawRequest:
        request = super().openapi_request(call)
        if call.operation != "downloadMedia":
            return request
        # The download's address is a whole URL, which the contract takes as one path
        # parameter of GET /{Version}/{Media-URL}.
        return dataclasses.replace(
            request,
            path=f"/{self.version}/{quote(self.url + call.target, safe='')}",
            parameters=RequestParameters(query=ImmutableMultiDict(), header=call.headers),
        )

    def error(self, status: int, detail: str = "") -> Answer:
        return Answer(status, _error(*ERRORS[status]))

    def admit(self, call: Call) -> Answer | None:
        refusal = super().admit(call)
        refusals = self._refusals.get(call.operation)
        if refusal is None and refusals:
            given = refusals.pop(0)
            return Answer(given.status, _error(given.code, given.title))
        return refusal

    # the operations

    def _sendMessage(self, *, params, raw, **_):
        body = json.loads(raw)
        if params["phone_number_id"] != self.phone_number_id:
            return 400, _error(100, "Unknown phone number id")
        if not re.fullmatch(r"\d{6,20}", body["to"]):
            self.violations.append(f"sendMessage: 'to' is not a WhatsApp id: {body['to']!r}")
        if body["type"] in ("image", "document") and body[body["type"]]["id"] not in {
            u["id"] for u in self.uploads
        }:
            self.violations.append("sendMessage: a media id that was never uploaded")
        wamid = f"wamid.FAKE{next(self._ids):08d}"
        self.sent.append({**body, "_wamid": wamid})
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid}],
        }
        return 200, answer

    def _uploadMedia(self, *, params, raw, headers, **_):
        form, files = multipart(raw, headers)
        upload = files.get("file", Upload("", "", b""))
        # What the documentation requires besides the contract: messaging_product, the
        # file, and its MIME type as "type".
        # https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
        problems = [
            problem
            for problem, wrong in (
                ("messaging_product is not whatsapp", form.get("messaging_product") != "whatsapp"),
                ("no file", not upload.data),
                ("no type", not form.get("type")),
                (
                    "type is not the file's content type",
                    "file" in files and form.get("type") != upload.content_type,
                ),
            )
            if wrong
        ]
        if problems:
            self.violations.append(f"uploadMedia: {', '.join(problems)}")
            return 400, _error(100, "Invalid parameter")
        media_id = str(800_000_000 + next(self._ids))
        self.uploads.append(
            {"id": media_id, "type": form["type"], "filename": upload.filename, "data": upload.data}
        )
        return 200, {"id": media_id}

    def _retrieveMediaUrl(self, *, params, query, **_):
        found = self.media.get(params["media_id"])
        if found is None:
            return 404, _error(100, "Unsupported get request")
        if query.get("phone_number_id") not in (None, self.phone_number_id):
            return 400, _error(100, "Media of another phone number")
        data, mime_type = found
        answer = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}{DOWNLOADS}?mid={params['media_id']}&ext={int(time.time())}",
            "mime_type": mime_type,
            "sha256": "0" * 64,
            "file_size": str(len(data)),
            "id": params["media_id"],
        }
        return 200, answer

    def _downloadMedia(self, *, query, **_):
        found = self.media.get(query.get("mid", ""))
        if found is None:
            return 404, _error(100, "Not found")
        return 200, found[0], found[1]


def _error(code: int, title: str) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": f"{title}."},
            "fbtrace_id": "AFakeTraceId",
        }
    }
