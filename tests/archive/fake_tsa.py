"""A local RFC 3161 time-stamping authority for the tests: real ASN.1, real signatures.

It refuses requests that break the protocol (RFC 3161 sections 2.4.1 and 3.4): not a POST of
``application/timestamp-query``, not a DER TimeStampReq of version 1, a message imprint whose
length does not fit its hash algorithm, no nonce, certReq not set (Balie needs the
certificate in the token). It answers a TimeStampResp whose token is a CMS SignedData over a
TSTInfo, signed with RSA-SHA256 by a certificate with the critical extended key usage
timeStamping (section 2.3), issued by its own CA; the signed attributes carry the content
type, the message digest and an ESS signing-certificate-v2 (RFC 5816).

``misbehave`` makes it answer wrongly, one way at a time, so the tests can show each is
refused: "refuse" (status rejection), "nonce", "imprint", "signature", "http_500", "html",
"not_for_stamping" (a certificate without the timeStamping usage).

The HTTP server is :class:`tests.fakes.FakeServer`; this module holds the protocol.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.fakes import Answer, Call, FakeServer

DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64, "sha1": 20}


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test TSA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, stamping: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(signing_key, hashes.SHA256())


class Authority:
    """The CA, the TSA's key and certificate, and what it was asked."""

    def __init__(self, *, stamping: bool = True):
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ca = _certificate(
            _name("Test TSA Root"), _name("Test TSA Root"), self.ca_key.public_key(),
            self.ca_key, ca=True, stamping=False,
        )  # fmt: skip
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = _certificate(
            _name("Test TSA Unit"), self.ca.subject, self.key.public_key(), self.ca_key,
            ca=False, stamping=stamping,
        )  # fmt: skip
        self.requests: list[tsp.TimeStampReq] = []
        self.misbehave: str | None = None
        self.clock_offset = timedelta(0)
        self.serial = 0

    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def answer(self, query: tsp.TimeStampReq) -> bytes:
        if self.misbehave == "refuse":
            # a TimeStampResp with its status alone (asn1crypto's class wants a token)
            status = tsp.PKIStatusInfo(
                {"status": "rejection", "status_string": ["policy not accepted"]}
            ).dump()
            return bytes([0x30, len(status)]) + status
        self.serial += 1
        imprint = query["message_imprint"]
        if self.misbehave == "imprint":
            imprint = tsp.MessageImprint(
                {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": hashlib.sha256(b"something else").digest(),
                }
            )
        nonce = query["nonce"].native + (1 if self.misbehave == "nonce" else 0)
        info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.3.6.1.4.1.99999.1",
                "message_imprint": imprint,
                "serial_number": self.serial,
                "gen_time": datetime.now(UTC).replace(microsecond=0) + self.clock_offset,
                "accuracy": {"seconds": 1},
                "nonce": nonce,
            }
        )
        content = info.dump()
        cert = asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))
        attributes = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(content).digest()]}
                ),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [
                            {
                                "certs": [
                                    {
                                        "hash_algorithm": {"algorithm": "sha256"},
                                        "cert_hash": hashlib.sha256(cert.dump()).digest(),
                                    }
                                ]
                            }
                        ],
                    }
                ),
            ]
        )
        signature = self.key.sign(attributes.dump(), padding.PKCS1v15(), hashes.SHA256())
        if self.misbehave == "signature":
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": {
                            "issuer": cert.issuer,
                            "serial_number": cert.serial_number,
                        }
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": attributes,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
                "signature": signature,
            }
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(content),
                },
                "certificates": [cert] if query["cert_req"].native else [],
                "signer_infos": [signer],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": token}
        ).dump()


def _check_query(call: Call) -> tsp.TimeStampReq | str:
    """The request, or why it breaks RFC 3161."""
    if call.method != "POST":
        return f"{call.method}, not POST"
    content_type = call.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/timestamp-query":
        return "Content-Type must be application/timestamp-query"
    try:
        query = tsp.TimeStampReq.load(call.body, strict=True)
        version = query["version"].native
        algorithm = query["message_imprint"]["hash_algorithm"]["algorithm"].native
        digest = query["message_imprint"]["hashed_message"].native
        nonce = query["nonce"].native
        cert_req = query["cert_req"].native
    except (ValueError, TypeError, KeyError) as error:
        return f"not a DER TimeStampReq: {error}"
    if version != "v1":
        return f"version must be v1, not {version}"
    if DIGEST_SIZES.get(algorithm) != len(digest):
        return f"a {algorithm} imprint of {len(digest)} bytes"
    if nonce is None or nonce <= 0:
        return "no nonce"
    if not cert_req:
        return "certReq must be true (the verifier needs the certificate)"
    return query


class FakeTSA(FakeServer):
    """Runs an :class:`Authority` on 127.0.0.1 in a thread; ``url`` is where to post."""

    def __init__(self, authority: Authority):
        super().__init__()
        self.authority = authority
        self.refused: list[str] = []
        self.url = f"{self.url}/tsa"  # where to post (it answers on any path)

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        return "timestamp", {}

    def error(self, status: int, detail: str = "") -> Answer:
        return Answer(status, (detail or "down").encode(), "text/plain")

    def respond(self, call: Call) -> Answer:
        query = _check_query(call)
        if isinstance(query, str):
            self.refused.append(query)
            return self.error(400, query)
        self.authority.requests.append(query)
        if self.authority.misbehave == "http_500":
            return self.error(500)
        if self.authority.misbehave == "html":
            return Answer(200, b"<html>login</html>", "text/html")
        return Answer(200, self.authority.answer(query), "application/timestamp-reply")
