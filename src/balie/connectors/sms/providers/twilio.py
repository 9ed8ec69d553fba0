"""Twilio Programmable Messaging (API 2010-04-01).

Twilio POSTs form-encoded webhooks to the account's webhook URL: an incoming SMS or MMS
(``MessageSid``, ``From``, ``To``, ``Body``, ``NumMedia``, ``MediaUrl0``…) and status
callbacks for what Balie sent (``MessageStatus``, ``ErrorCode``). Each carries
``X-Twilio-Signature``: base64 of HMAC-SHA1 under the Auth Token over the URL Twilio called
followed by every POST parameter's name and value, sorted by name. Balie computes it over
``accounts.webhook_url`` (so ``BALIE_PUBLIC_URL`` must be the address Twilio calls) and
compares in constant time. Twilio may sign the URL with the scheme's default port written
out (``:443``) or not: both are accepted. Twilio joins a long SMS itself: its webhook holds
the whole text.

Outbound: ``POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with Basic
auth, ``To``, ``From`` (or ``MessagingServiceSid``), ``Body`` and ``StatusCallback``; Twilio
splits a long text into segments itself, up to 1600 characters. MMS files are fetched from
``MediaUrl<n>`` with the account's credentials, only from ``api_base``'s host, up to
``BALIE_MAX_UPLOAD_BYTES`` each; what cannot be fetched is named in the message's text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _

from balie.connectors.accounts import secret_of, webhook_url
from balie.connectors.inbound import InboundFile
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import WebhookRequest, WebhookResponse
from balie.connectors.sms.numbers import normalise
from balie.connectors.sms.providers.base import (
    MAX_TEXT,
    TIMEOUT,
    USER_AGENT,
    InboundSms,
    Malformed,
    Media,
    OutboundSms,
    Report,
    SignatureRefused,
    checked_url,
    short_detail,
)
from balie.conversations.actions.checks import check_text
from balie.conversations.tasks import DeliveryFailed
from balie.errors import Invalid

__all__ = ["API_BASE", "MAX_BODY", "SIGNATURE_HEADER", "Twilio", "signature", "url_variants"]

API_BASE = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY = 1600  # characters Twilio takes in one message (it splits them into segments)
MAX_MEDIA = 10
MAX_FIELDS = 200
MAX_REDIRECTS = 3
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
MESSAGE_SID = re.compile(r"[A-Za-z0-9]{1,64}")
ERROR_CODE = re.compile(r"[0-9]{1,10}")
TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'

# Twilio's MessageStatus as Balie's delivery status; None changes nothing.
STATUSES: dict[str, str | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": None,
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
    "partially_delivered": None,
    "receiving": None,
    "received": None,
}


def signature(token: str, url: str, params: list[tuple[str, str]]) -> str:
    """Twilio's signature of a form POST to ``url`` with ``params``."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _params(request: WebhookRequest) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Malformed(params={"reason": "the body is not form-encoded"})
    try:
        text = request.body.decode("utf-8")
        return parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS,
            errors="strict",
        )  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise Malformed(params={"reason": "the body is not a form in UTF-8"}) from None


def _fields(params: list[tuple[str, str]]) -> dict[str, str]:
    fields = dict(params)
    if len(fields) != len(params):
        raise Malformed(params={"reason": "a parameter occurs twice"})
    return fields


def _called_url(account: ChannelAccount, request: WebhookRequest) -> str:
    url = webhook_url(account)
    return f"{url}?{urlencode(dict(request.query))}" if request.query else url


def url_variants(url: str) -> list[str]:
    """``url`` and, where it has the scheme's default port, the same with the port written
    out or left off: Twilio may sign either form."""
    split = urlsplit(url)
    default = {"https": 443, "http": 80}.get(split.scheme)
    host = split.hostname or ""
    if default is None or (split.port not in (None, default)):
        return [url]
    if ":" in host:
        host = f"[{host}]"
    other = host if split.port else f"{host}:{default}"
    return [url, split._replace(netloc=other).geturl()]


def api_base(account: ChannelAccount) -> str:
    return account.settings.get("api_base", API_BASE).rstrip("/")


def _report(fields: Mapping[str, str], sid: str) -> Report:
    given = fields["MessageStatus"]
    code = fields.get("ErrorCode", "")
    if code and not ERROR_CODE.fullmatch(code):
        raise Malformed(field="ErrorCode", params={"reason": "ErrorCode is a number"})
    status = STATUSES.get(given)
    error = f"{given}: {code}" if code else given
    return Report(sid, status, error if status == "failed" else "")


def _inbound(fields: Mapping[str, str], sid: str) -> InboundSms:
    if "Body" not in fields:
        raise Malformed(field="Body", params={"reason": "Body is missing"})
    text = check_text(fields["Body"], "Body")
    if len(text) > MAX_TEXT:
        raise Malformed(field="Body", params={"reason": "Body is too long"})
    count = fields.get("NumMedia", "0")
    if not count.isascii() or not count.isdigit() or int(count) > MAX_MEDIA:
        raise Malformed(field="NumMedia", params={"reason": f"NumMedia is 0-{MAX_MEDIA}"})
    media = []
    for index in range(int(count)):
        url = fields.get(f"MediaUrl{index}", "")
        if not url:
            raise Malformed(params={"reason": f"MediaUrl{index} is missing"})
        content_type = fields.get(f"MediaContentType{index}", "")[:100]
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
        media.append(Media(url, content_type, f"mms-{index + 1}{extension}"))
    return InboundSms(sid, normalise(fields.get("From"), name="From"), text, media=tuple(media))


class Twilio:
    name: ClassVar[str] = "twilio"

    def clean(self, settings: Mapping[str, str]) -> dict[str, str]:
        clean: dict[str, str] = {}
        sid = settings.get("account_sid", "")
        if not ACCOUNT_SID.fullmatch(sid):
            raise _invalid("account_sid", _("%(name)s is a Twilio Account SID (AC…)."))
        clean["account_sid"] = sid
        if settings.get("messaging_service_sid"):
            if not SERVICE_SID.fullmatch(settings["messaging_service_sid"]):
                raise _invalid(
                    "messaging_service_sid", _("%(name)s is a Messaging Service SID (MG…).")
                )
            clean["messaging_service_sid"] = settings["messaging_service_sid"]
        if settings.get("number"):
            clean["number"] = normalise(settings["number"], name="number")
        if not clean.get("number") and not clean.get("messaging_service_sid"):
            raise _invalid("number", _("Twilio needs a number or a messaging_service_sid."))
        if settings.get("api_base"):
            clean["api_base"] = checked_url(settings["api_base"], "api_base").rstrip("/")
        return clean

    def verify(self, account: ChannelAccount, request: WebhookRequest) -> None:
        token = secret_of(account, "secret")
        given = request.headers.get(SIGNATURE_HEADER.lower(), "")
        if not token or not given:
            raise SignatureRefused
        params, given_bytes = _params(request), given.strip().encode("utf-8", "replace")
        matches = [
            hmac.compare_digest(signature(token, url, params).encode(), given_bytes)
            for url in url_variants(_called_url(account, request))
        ]
        if not any(matches):
            raise SignatureRefused

    def parse(self, account: ChannelAccount, request: WebhookRequest) -> InboundSms | Report:
        fields = _fields(_params(request))
        if fields.get("AccountSid", account.settings.get("account_sid")) != account.settings.get(
            "account_sid"
        ):
            raise Malformed(field="AccountSid", params={"reason": "not this account's AccountSid"})
        sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
        if not MESSAGE_SID.fullmatch(sid):
            raise Malformed(field="MessageSid", params={"reason": "MessageSid is missing"})
        if "MessageStatus" in fields:
            return _report(fields, sid)
        return _inbound(fields, sid)

    def fetch(self, account: ChannelAccount, media: Media) -> InboundFile | None:
        here, there = urlsplit(api_base(account)), urlsplit(media.url)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            return None  # only Twilio's own API host gets the account's credentials
        limit = django_settings.MAX_UPLOAD_BYTES
        credentials = (account.settings["account_sid"], secret_of(account, "secret"))
        try:
            with requests.Session() as session:
                session.max_redirects = MAX_REDIRECTS  # the file may live on Twilio's CDN
                with session.get(
                    media.url, auth=credentials, timeout=TIMEOUT, stream=True,
                    headers={"User-Agent": USER_AGENT},
                ) as answer:  # fmt: skip
                    declared = answer.headers.get("Content-Length", "0")
                    if answer.status_code != 200 or (declared.isdigit() and int(declared) > limit):
                        return None
                    data = bytearray()
                    for chunk in answer.iter_content(64 * 1024):
                        data += chunk
                        if len(data) > limit:
                            return None
        except requests.RequestException:
            return None
        return InboundFile(media.filename, bytes(data))

    def answer(self, parsed: InboundSms | Report) -> WebhookResponse:
        if isinstance(parsed, Report):
            return WebhookResponse(204)
        return WebhookResponse(200, TWIML, "text/xml; charset=utf-8")

    def send(self, account: ChannelAccount, sms: OutboundSms) -> str:
        if len(sms.text) > MAX_BODY:
            raise DeliveryFailed(
                "too_long", f"{len(sms.text)} characters, Twilio takes {MAX_BODY}", retryable=False
            )
        settings = account.settings
        form = {"To": sms.to, "Body": sms.text, "StatusCallback": sms.status_url}
        if settings.get("messaging_service_sid"):
            form["MessagingServiceSid"] = settings["messaging_service_sid"]
        else:
            form["From"] = settings["number"]
        url = f"{api_base(account)}/2010-04-01/Accounts/{settings['account_sid']}/Messages.json"
        try:
            answer = requests.post(
                url, data=form, auth=(settings["account_sid"], secret_of(account, "secret")),
                headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT, allow_redirects=False,
            )  # fmt: skip
        except requests.Timeout:
            raise DeliveryFailed("timeout", "no answer in time") from None
        except requests.RequestException as failure:
            raise DeliveryFailed("unreachable", type(failure).__name__) from None
        return _sid(answer)


def _sid(answer: requests.Response) -> str:
    try:
        said = answer.json()
    except ValueError:
        said = None
    said = said if isinstance(said, dict) else {}
    status = answer.status_code
    if status in (200, 201):
        sid = said.get("sid")
        if isinstance(sid, str) and MESSAGE_SID.fullmatch(sid):
            return sid
        # Twilio may have taken it and does not recognise a repeat: not sent again.
        raise DeliveryFailed("bad_answer", f"HTTP {status} without a sid", retryable=False)
    code = said.get("code")
    name = f"twilio_{code}" if type(code) is int else f"http_{status}"
    detail = f"HTTP {status}: {short_detail(said.get('message', ''))}".rstrip(": ")
    raise DeliveryFailed(name, detail, retryable=status >= 500 or status == 429)


def _invalid(name: str, message) -> Invalid:
    return Invalid("invalid_field", message, field=name, params={"name": name})
