"""RFC 3161 time-stamps on checkpoints: a witness outside Balie that a checkpoint existed.

A checkpoint line is signed with ``BALIE_CHECKPOINT_KEY``; whoever holds that key could write
a line today and date it last month. Where a time-stamping authority (TSA) is configured
(``BALIE_TSA_URL``), ``balie verify --export-checkpoint`` sends the SHA-256 of each signed
line to it and keeps the TSA's token in the line: the TSA's signature over that hash and the
time it saw it. ``balie verify --checkpoint`` checks the token offline: it must be a granted
RFC 3161 token over exactly this line, signed by a certificate meant for time-stamping,
whose signature verifies; with ``BALIE_TSA_CERTIFICATE`` also that the signer is that
certificate or was issued by it.

The request (RFC 3161 section 2.4.1): version 1, SHA-256 message imprint, a random 64-bit
nonce, certReq true, posted as ``application/timestamp-query``. The answer must carry the
same imprint and nonce. ASN.1 is read and written with asn1crypto, signatures checked with
cryptography (decision 0023).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings

from balie.errors import BalieError

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 1024 * 1024
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha1": hashes.SHA1,  # signatures only: some TSAs still sign with it; the imprint is ours
}


class _Response(core.Sequence):
    """TimeStampResp as RFC 3161 section 2.4.2 has it: the token is OPTIONAL (absent when the
    TSA refuses), which asn1crypto's own class does not allow."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class TimestampFailed(BalieError):
    """The TSA could not be reached or did not grant a valid time-stamp."""

    default_code = "timestamp_failed"


class TimestampInvalid(BalieError):
    """A time-stamp token that does not prove what it claims."""

    default_code = "timestamp_invalid"


@dataclass(frozen=True)
class Stamp:
    time: datetime  # the TSA's genTime
    signer: str  # the signing certificate's subject, for people
    trusted: bool  # checked against BALIE_TSA_CERTIFICATE


def configured() -> bool:
    return bool(settings.TSA_URL)


def stamp(data: bytes) -> tuple[str, Stamp]:
    """Ask the configured TSA to time-stamp ``data``: (the token, base64 DER, its reading)."""
    if not settings.TSA_URL.startswith(("https://", "http://")):
        raise TimestampFailed(None, "BALIE_TSA_URL must be an http:// or https:// address")
    digest = hashlib.sha256(data).digest()
    nonce = secrets.randbits(63) + 1
    query = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        settings.TSA_URL,
        data=query,
        method="POST",
        headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TSA_TIMEOUT_SECONDS) as reply:  # noqa: S310
            kind = reply.headers.get_content_type()
            body = reply.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        raise TimestampFailed(None, f"the TSA answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TimestampFailed(None, f"the TSA cannot be reached: {reason}") from None
    if kind != REPLY_TYPE:
        raise TimestampFailed(None, f"the TSA answered {kind}, not {REPLY_TYPE}")
    if len(body) > MAX_REPLY_BYTES:
        raise TimestampFailed(None, "the TSA's answer is larger than 1 MiB")
    try:
        response = _Response.load(body)
        status = response["status"]["status"].native
        text = response["status"]["status_string"].native or []
    except (ValueError, TypeError, KeyError) as error:
        raise TimestampFailed(
            None, f"the TSA's answer is not an RFC 3161 response: {error}"
        ) from None
    if status not in ("granted", "granted_with_mods"):
        raise TimestampFailed(None, f"the TSA refused: {status} {' '.join(text)}".strip())
    token = response["time_stamp_token"]
    der = b"" if isinstance(token, core.Void) else token.dump()
    if not der:
        raise TimestampFailed(None, "the TSA granted, but sent no token")
    try:
        reading = check(der, data, nonce=nonce)
    except TimestampInvalid as error:
        raise TimestampFailed(None, f"the TSA's token does not hold: {error.detail}") from None
    return base64.b64encode(der).decode("ascii"), reading


def check(token: str | bytes, data: bytes, *, nonce: int | None = None) -> Stamp:
    """Read and check a token (base64 or DER) over ``data``; a TimestampInvalid says why not."""
    try:
        der = base64.b64decode(token, validate=True) if isinstance(token, str) else token
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise TimestampInvalid(None, "not a CMS SignedData token")
        signed = info["content"]
        content = signed["encap_content_info"]
        if content["content_type"].native != "tst_info":
            raise TimestampInvalid(None, "the signed content is not a TSTInfo")
        tst_bytes = content["content"].contents
        tst = tsp.TSTInfo.load(tst_bytes)
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        gen_time = tst["gen_time"].native
        token_nonce = tst["nonce"].native
        signers = list(signed["signer_infos"])
        certificates = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
    except TimestampInvalid:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise TimestampInvalid(None, f"not a readable RFC 3161 token ({error})") from None
    if algorithm not in ("sha256", "sha384", "sha512"):
        raise TimestampInvalid(None, f"the token hashes with {algorithm}")
    if imprint["hashed_message"].native != hashlib.new(algorithm, data).digest():
        raise TimestampInvalid(None, "the token is for other data (message imprint differs)")
    if nonce is not None and token_nonce != nonce:
        raise TimestampInvalid(None, "the token's nonce is not the request's")
    if len(signers) != 1:
        raise TimestampInvalid(None, f"the token has {len(signers)} signers, not one")
    signer = signers[0]
    certificate = _signer_certificate(signer, certificates)
    _check_attributes(signer, tst_bytes, certificate.dump())
    public = x509.load_der_x509_certificate(certificate.dump())
    _check_signature(signer, public)
    usage = _extended_key_usage(public)
    if ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TimestampInvalid(None, "the signing certificate is not for time-stamping")
    if not public.not_valid_before_utc <= gen_time <= public.not_valid_after_utc:
        raise TimestampInvalid(None, "the time lies outside the signing certificate's validity")
    trusted = _trusted(public)
    return Stamp(time=gen_time, signer=public.subject.rfc4514_string(), trusted=trusted)


def _signer_certificate(signer, certificates):
    sid = signer["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                certificate.issuer == wanted["issuer"]
                and certificate.serial_number == wanted["serial_number"].native
            ):
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    raise TimestampInvalid(None, "the token does not hold its signing certificate")


def _check_attributes(signer, content: bytes, certificate_der: bytes) -> None:
    attributes = {a["type"].native: a["values"] for a in signer["signed_attrs"] or []}
    if not attributes:
        raise TimestampInvalid(None, "the token has no signed attributes")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES:
        raise TimestampInvalid(None, f"the token's digest {digest_name} is not supported")
    if attributes.get("content_type", [None])[0] is None or (
        attributes["content_type"][0].native != "tst_info"
    ):
        raise TimestampInvalid(None, "the signed content type is not TSTInfo")
    digest = attributes.get("message_digest")
    if not digest or digest[0].native != hashlib.new(digest_name, content).digest():
        raise TimestampInvalid(None, "the signature covers other content (message digest)")
    # RFC 3161 section 2.4.2 (with RFC 5816): the signer's certificate is bound by hash
    if "signing_certificate_v2" in attributes:
        ids = attributes["signing_certificate_v2"][0]["certs"]
        bound = any(
            i["cert_hash"].native
            == hashlib.new(i["hash_algorithm"]["algorithm"].native, certificate_der).digest()
            for i in ids
        )
    elif "signing_certificate" in attributes:
        ids = attributes["signing_certificate"][0]["certs"]
        bound = any(i["cert_hash"].native == hashlib.sha1(certificate_der).digest() for i in ids)  # noqa: S324
    else:
        raise TimestampInvalid(None, "the token does not name its signing certificate")
    if not bound:
        raise TimestampInvalid(None, "the token names another signing certificate")


def _check_signature(signer, certificate: x509.Certificate) -> None:
    signed = signer["signed_attrs"].dump()
    signed = b"\x31" + signed[1:]  # signed as a SET OF, carried as [0] IMPLICIT
    signature = signer["signature"].native
    algorithm = signer["signature_algorithm"]
    digest = HASHES[signer["digest_algorithm"]["algorithm"].native]()
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algorithm.signature_algo == "rsassa_pss":
                params = algorithm["parameters"]
                pss_hash = HASHES[params["hash_algorithm"]["algorithm"].native]()
                scheme = padding.PSS(
                    mgf=padding.MGF1(pss_hash), salt_length=params["salt_length"].native
                )
                key.verify(signature, signed, scheme, pss_hash)
            else:
                key.verify(signature, signed, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(digest))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signed)
        else:
            raise TimestampInvalid(None, "the signing key's type is not supported")
    except InvalidSignature:
        raise TimestampInvalid(None, "the TSA's signature does not verify") from None


def _extended_key_usage(certificate: x509.Certificate):
    try:
        return certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []


def _trusted(certificate: x509.Certificate) -> bool:
    anchors = _anchors(settings.TSA_CERTIFICATE)
    if not anchors:
        return False
    for anchor in anchors:
        if certificate == anchor:
            return True
        try:
            certificate.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    raise TimestampInvalid(
        None, "the signing certificate is neither BALIE_TSA_CERTIFICATE nor issued by it"
    )


@cache
def _anchors(path: str) -> tuple[x509.Certificate, ...]:
    if not path:
        return ()
    try:
        return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    except (OSError, ValueError) as error:
        raise TimestampInvalid(None, f"BALIE_TSA_CERTIFICATE cannot be read: {error}") from None
