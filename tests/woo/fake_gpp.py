"""A local stand-in for a GPP-Woo publicatiebank: a real HTTP server on 127.0.0.1 that checks
every request against the publicatiebank's published contract (``contracts/
gpp-publicatiebank/openapi.yaml``, through openapi-core) and answers in the contract's shapes,
checking its own answers too.

It keeps what it was sent (publications, documents, the bytes of every file part) and can be
told to fail: a call answered with 500, a connection dropped before the call is handled,
an answer lost after the call was handled (the client never hears that it worked), or an
answer that comes too late. Whatever the contract refuses lands in ``violations``; a test
asserts that it stays empty.

The server, the failures and the contract checks are :mod:`tests.fakes`'s; this module holds
the publicatiebank's own: its token and audit headers, its errors and its operations.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI

from tests.fakes import Answer, Call, ContractFake, multipart

CONTRACT = Path(__file__).parent / "contracts" / "gpp-publicatiebank" / "openapi.yaml"
API = "/api/v2"
AUDIT_HEADERS = ("Audit-User-ID", "Audit-User-Representation", "Audit-Remarks")
ERRORS = {401: "Ongeldige token.", 404: "Niet gevonden.", 500: "Er is een interne fout opgetreden."}


@cache
def contract() -> OpenAPI:
    return OpenAPI.from_file_path(str(CONTRACT))


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakePublicatiebank(ContractFake):
    token_scheme = "Token"

    def __init__(self, token: str, *, part_size: int = 4096, page_size: int = 2) -> None:
        super().__init__(token)
        self.part_size = part_size
        self.page_size = page_size
        self.publications: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        # part uuid -> document, volgnummer, omvang, data
        self.parts: dict[str, dict[str, Any]] = {}
        self.audit: set[tuple[str, str, str]] = set()
        self.part_host: str | None = None  # to answer with file-part addresses elsewhere

    # the publicatiebank's own

    def openapi(self) -> OpenAPI:
        return contract()

    def error(self, status: int, detail: str = "") -> Answer:
        return Answer(status, {"detail": detail or ERRORS[status]})

    def admit(self, call: Call) -> Answer | None:
        refusal = super().admit(call)
        if refusal is None:
            self.audit.add(tuple(call.headers[h] for h in AUDIT_HEADERS))  # type: ignore[arg-type]
        return refusal

    # what arrived

    def file_of(self, document_uuid: str) -> bytes:
        parts = sorted(
            (p for p in self.parts.values() if p["document"] == document_uuid),
            key=lambda p: p["volgnummer"],
        )
        return b"".join(p["data"] or b"" for p in parts)

    # the operations

    def _page(self, items: list[dict[str, Any]], path: str, query) -> dict[str, Any]:
        page = int(query.get("page", "1"))
        start = (page - 1) * self.page_size
        rest = [(k, v) for k, v in query.items(multi=True) if k != "page"]
        following = "&".join([*(f"{k}={v}" for k, v in rest), f"page={page + 1}"])
        return {
            "count": len(items),
            "next": f"{self.url}{path}?{following}"
            if start + self.page_size < len(items)
            else None,
            "previous": None,
            "results": items[start : start + self.page_size],
        }

    def _publicatiesList(self, *, query, **_):
        found = [
            p
            for p in self.publications.values()
            if all(
                any(k[key] == query[key] for k in p["kenmerken"])
                for key in ("kenmerk", "bron")
                if key in query
            )
        ]
        return 200, self._page(found, f"{API}/publicaties", query)

    def _publicatiesCreate(self, *, body, headers, **_):
        status = body.get("publicatiestatus", "gepubliceerd")
        if status == "ingetrokken":
            return 400, {"publicatiestatus": ["Je kan geen ingetrokken publicatie aanmaken."]}
        key = str(uuid.uuid4())
        now = _now()
        self.publications[key] = {
            "uuid": key,
            "urlPublicatieIntern": f"{self.url}/beheer/publicaties/{key}",
            "urlPublicatieExtern": f"https://open.example.nl/publicaties/{key}",
            "informatieCategorieen": [str(c) for c in body.get("informatieCategorieen", [])],
            "diWooInformatieCategorieen": [],
            "onderwerpen": [],
            "publisher": str(body["publisher"]) if body.get("publisher") else None,
            "verantwoordelijke": None,
            "opsteller": None,
            "kenmerken": list(body.get("kenmerken", [])),
            "officieleTitel": body["officieleTitel"],
            "verkorteTitel": body.get("verkorteTitel", ""),
            "omschrijving": body.get("omschrijving", ""),
            "eigenaar": {
                "identifier": headers["Audit-User-ID"],
                "weergaveNaam": headers["Audit-User-Representation"],
            },
            # A nullable allOf, which openapi-core cannot check as null: always a group here.
            "eigenaarGroep": {"identifier": "woo-team", "weergaveNaam": "Team Woo"},
            "publicatiestatus": status,
            "gepubliceerdOp": now if status == "gepubliceerd" else None,
            "ingetrokkenOp": None,
            "registratiedatum": now,
            "laatstGewijzigdDatum": now,
            "datumBeginGeldigheid": None,
            "datumEindeGeldigheid": None,
            "bronBewaartermijn": "Selectielijst gemeenten 2020",
            "selectiecategorie": "1.1.2",
            "archiefnominatie": "vernietigen",
            "archiefactiedatum": None,
            "toelichtingBewaartermijn": "",
        }
        return 201, self.publications[key]

    def _publicatiesRetrieve(self, *, params, **_):
        found = self.publications.get(params["uuid"])
        return (200, found) if found else (404, {"detail": "Niet gevonden."})

    def _publicatiesUpdate(self, *, params, body, **_):
        publication = self.publications.get(params["uuid"])
        if publication is None:
            return 404, {"detail": "Niet gevonden."}
        new = body.get("publicatiestatus", "gepubliceerd")
        old = publication["publicatiestatus"]
        if (old, new) not in {
            ("concept", "concept"),
            ("concept", "gepubliceerd"),
            ("gepubliceerd", "gepubliceerd"),
            ("gepubliceerd", "ingetrokken"),
        }:
            return 400, {"publicatiestatus": [f"Van {old} naar {new} kan niet."]}
        documents = [d for d in self.documents.values() if d["publicatie"] == params["uuid"]]
        if new == "gepubliceerd" and not all(d["uploadVoltooid"] for d in documents):
            self.violations.append("published before every document was uploaded")
        now = _now()
        for name in ("officieleTitel", "omschrijving"):
            publication[name] = body.get(name, publication[name])
        publication["informatieCategorieen"] = [str(c) for c in body["informatieCategorieen"]]
        publication["publisher"] = str(body["publisher"])
        publication["kenmerken"] = list(body.get("kenmerken", publication["kenmerken"]))
        publication["publicatiestatus"] = new
        publication["laatstGewijzigdDatum"] = now
        if new == "gepubliceerd" and old != new:
            publication["gepubliceerdOp"] = now
            for document in documents:
                document["publicatiestatus"], document["gepubliceerdOp"] = new, now
        return 200, publication

    def _documentenList(self, *, query, **_):
        found = [
            self._document(d)
            for d in self.documents.values()
            if "publicatie" not in query or d["publicatie"] == query["publicatie"]
        ]
        return 200, self._page(found, f"{API}/documenten", query)

    def _documentenCreate(self, *, body, headers, **_):
        publication = self.publications.get(str(body["publicatie"]))
        if publication is None:
            return 400, {"publicatie": ["Deze publicatie bestaat niet."]}
        key, now = str(uuid.uuid4()), _now()
        size = body.get("bestandsomvang", 0)
        parts = []
        for number, start in enumerate(range(0, size, self.part_size), start=1):
            part = str(uuid.uuid4())
            host = self.part_host or self.url
            self.parts[part] = {
                "document": key,
                "volgnummer": number,
                "omvang": min(self.part_size, size - start),
                "data": None,
            }
            parts.append({
                "uuid": part,
                "url": f"{host}{API}/documenten/{key}/bestandsdelen/{part}",
                "volgnummer": number,
                "omvang": self.parts[part]["omvang"],
            })  # fmt: skip
        self.documents[key] = {
            "uuid": key,
            "identifier": "",
            "publicatie": str(body["publicatie"]),
            "kenmerken": list(body.get("kenmerken", [])),
            "officieleTitel": body["officieleTitel"],
            "verkorteTitel": body.get("verkorteTitel", ""),
            "omschrijving": body.get("omschrijving", ""),
            "publicatiestatus": publication["publicatiestatus"],
            "gepubliceerdOp": None,
            "ingetrokkenOp": None,
            "creatiedatum": body["creatiedatum"].isoformat(),
            "ontvangstdatum": None,
            "datumOndertekend": None,
            "bestandsformaat": body.get("bestandsformaat", ""),
            "bestandsnaam": body.get("bestandsnaam", ""),
            "bestandsomvang": size,
            "eigenaar": {
                "identifier": headers["Audit-User-ID"],
                "weergaveNaam": headers["Audit-User-Representation"],
            },
            "registratiedatum": now,
            "laatstGewijzigdDatum": now,
            "uploadVoltooid": False,
        }
        created = {**self._document(self.documents[key]), "bestandsdelen": parts}
        return 201, {**created, "aanleveringBestand": "ontvangen"}

    def _document(self, document: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in document.items() if k != "identifier"}

    def _documentenRetrieve(self, *, params, **_):
        found = self.documents.get(params["uuid"])
        return (200, self._document(found)) if found else (404, {"detail": "Niet gevonden."})

    def _documentenDestroy(self, *, params, **_):
        if self.documents.pop(params["uuid"], None) is None:
            return 404, {"detail": "Niet gevonden."}
        for key in [k for k, p in self.parts.items() if p["document"] == params["uuid"]]:
            del self.parts[key]
        return 204, None

    def _documentenBestandsdelenUpdate(self, *, params, raw, headers, **_):
        part = self.parts.get(params["partUuid"])
        document = self.documents.get(params["uuid"])
        if part is None or document is None or part["document"] != params["uuid"]:
            return 404, {"detail": "Niet gevonden."}
        _form, files = multipart(raw, headers)
        data = files["inhoud"].data if "inhoud" in files else b""
        if len(data) != part["omvang"]:
            return 400, {"inhoud": [f"Verwacht {part['omvang']} bytes, kreeg {len(data)}."]}
        part["data"] = data
        complete = all(
            p["data"] is not None for p in self.parts.values() if p["document"] == params["uuid"]
        )
        document["uploadVoltooid"] = complete
        return 200, {"documentUploadVoltooid": complete}
