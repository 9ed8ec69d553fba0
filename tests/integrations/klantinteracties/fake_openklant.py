"""A local stand-in for Open Klant's Klantinteracties API: a real HTTP server on 127.0.0.1
that checks every request against Open Klant's published contract (``contracts/open-klant/
openapi.yaml``, through openapi-core), and the token, and answers in the contract's shapes,
checking its own answers too.

It keeps what it was sent (klantcontacten, betrokkenen, onderwerpobjecten, digitale
adressen, bijlagen) and can be told to fail: a call answered with 500, a connection dropped
before the call is handled, an answer lost after the call was handled (the client never
hears that it worked), or the whole server down (connection refused) until it is started
again on the same port. Whatever the contract refuses lands in ``violations``; a test
asserts that it stays empty.

The server, the failures and the contract checks are :mod:`tests.fakes`'s; this module holds
Open Klant's own: its token, its errors and its operations.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI

from tests.fakes import Answer, Call, ContractFake

CONTRACT = Path(__file__).parents[1] / "contracts" / "open-klant" / "openapi.yaml"
API = "/klantinteracties/api/v1"
TITLES = {
    400: "Invalid input.",
    401: "Ongeldige token.",
    404: "Niet gevonden.",
    500: "Er is een serverfout opgetreden.",
}


@cache
def contract() -> OpenAPI:
    return OpenAPI.from_file_path(str(CONTRACT))


def _ref(item: dict[str, Any]) -> dict[str, str]:
    return {"uuid": item["uuid"], "url": item["url"]}


class FakeOpenKlant(ContractFake):
    token_scheme = "Token"
    answer_headers = (("API-version", "0.9.0"),)

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.api = self.url + API
        self.klantcontacten: dict[str, dict[str, Any]] = {}
        self.betrokkenen: dict[str, dict[str, Any]] = {}
        self.onderwerpobjecten: dict[str, dict[str, Any]] = {}
        self.digitale_adressen: dict[str, dict[str, Any]] = {}
        self.bijlagen: dict[str, dict[str, Any]] = {}
        self.bodies: list[tuple[str, Any]] = []  # (operationId, body) of every write

    fail = ContractFake.fail_operation  # the name Open Klant's tests know it by

    # Open Klant's own

    def openapi(self) -> OpenAPI:
        return contract()

    def error(self, status: int, detail: str = "") -> Answer:
        answer = {"title": TITLES[status], "status": status}
        return Answer(status, {**answer, "detail": detail} if detail else answer)

    def admit(self, call: Call) -> Answer | None:
        where = f"{call.method} {call.path}"
        if not call.headers.get("Authorization", "").startswith("Token "):
            self.violations.append(f"{where}: no Authorization: Token …")
        refusal = super().admit(call)
        if refusal is None and call.method == "POST":
            content_type = call.headers.get("Content-Type")
            if content_type != "application/json":
                self.violations.append(f"{where}: Content-Type {content_type}")
        return refusal

    def body_of(self, call: Call, checked: Any) -> Any:
        """The JSON as sent (not as unmarshalled: it is kept and answered as it came); a
        write's is kept in ``bodies``."""
        decoded = json.loads(call.body) if call.body else None
        if call.method == "POST":
            self.bodies.append((call.operation, decoded))
        return decoded

    # the operations

    def _new(self, collection: str) -> tuple[str, str]:
        key = str(uuid.uuid4())
        return key, f"{self.api}/{collection}/{key}"

    def _maakKlantcontactCreate(self, *, body, **_):
        given = body["klantcontact"]
        key, url = self._new("klantcontacten")
        klantcontact = {
            "uuid": key,
            "url": url,
            "gingOverOnderwerpobjecten": [],
            "hadBetrokkenActoren": [],
            "omvatteBijlagen": [],
            "hadBetrokkenen": [],
            "leiddeTotInterneTaken": [],
            "nummer": f"{len(self.klantcontacten) + 1:010d}",
            "referentienummer": None,
            "kanaal": given["kanaal"],
            "onderwerp": given["onderwerp"],
            "inhoud": given.get("inhoud", ""),
            "reactie": given.get("reactie", ""),
            "indicatieContactGelukt": given.get("indicatieContactGelukt"),
            "verdereActieOndernomen": given.get("verdereActieOndernomen", False),
            "taal": given["taal"],
            "vertrouwelijk": given["vertrouwelijk"],
            "metadata": given.get("metadata", {}),
        }
        if "plaatsgevondenOp" in given:
            klantcontact["plaatsgevondenOp"] = given["plaatsgevondenOp"]
        self.klantcontacten[key] = klantcontact
        answer: dict[str, Any] = {"klantcontact": klantcontact}
        if body.get("betrokkene"):
            answer["betrokkene"] = self._betrokkene(klantcontact, body["betrokkene"])
        if body.get("onderwerpobject"):
            answer["onderwerpobject"] = self._onderwerpobject(klantcontact, body["onderwerpobject"])
        return 201, answer

    def _betrokkene(self, klantcontact: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        key, url = self._new("betrokkenen")
        name = given.get("contactnaam") or {}
        betrokkene = {
            "uuid": key,
            "url": url,
            "hadKlantcontact": _ref(klantcontact),
            "digitaleAdressen": [],
            "volledigeNaam": " ".join(
                name[part]
                for part in ("voornaam", "voorvoegselAchternaam", "achternaam")
                if name.get(part)
            ),
            "rol": given["rol"],
            "organisatienaam": given.get("organisatienaam", ""),
            "initiator": given["initiator"],
        }
        if "contactnaam" in given:  # a nullable allOf: openapi-core checks it only when set
            betrokkene["contactnaam"] = given["contactnaam"]
        self.betrokkenen[key] = betrokkene
        klantcontact["hadBetrokkenen"].append(_ref(betrokkene))
        return betrokkene

    def _onderwerpobject(
        self, klantcontact: dict[str, Any], given: dict[str, Any]
    ) -> dict[str, Any]:
        key, url = self._new("onderwerpobjecten")
        onderwerpobject = {
            "uuid": key,
            "url": url,
            "klantcontact": _ref(klantcontact),
            "onderwerpobjectidentificator": given["onderwerpobjectidentificator"],
        }
        self.onderwerpobjecten[key] = onderwerpobject
        klantcontact["gingOverOnderwerpobjecten"].append(_ref(onderwerpobject))
        return onderwerpobject

    def _klantcontactenRetrieve(self, *, params, **_):
        found = self.klantcontacten.get(params["uuid"])
        return (200, found) if found else (404, {"title": "Niet gevonden."})

    def _page(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"count": len(items), "next": None, "previous": None, "results": items}

    def _onderwerpobjectenList(self, *, query, **_):
        filters = {
            name: query[f"onderwerpobjectidentificator{name[0].upper()}{name[1:]}"]
            for name in ("codeRegister", "codeObjecttype", "codeSoortObjectId", "objectId")
            if f"onderwerpobjectidentificator{name[0].upper()}{name[1:]}" in query
        }
        found = [
            item
            for item in self.onderwerpobjecten.values()
            if all(item["onderwerpobjectidentificator"].get(k) == v for k, v in filters.items())
        ]
        return 200, self._page(found)

    def _digitaleadressenCreate(self, *, body, **_):
        betrokkene = self.betrokkenen.get(str(body["verstrektDoorBetrokkene"]["uuid"]))
        if betrokkene is None:
            return 400, {"invalidParams": [{"name": "verstrektDoorBetrokkene", "reason": "?"}]}
        key, url = self._new("digitaleadressen")
        adres = {
            "uuid": key,
            "url": url,
            "verstrektDoorBetrokkene": _ref(betrokkene),
            "adres": body["adres"],
            "soortDigitaalAdres": body["soortDigitaalAdres"],
            "isStandaardAdres": body.get("isStandaardAdres", False),
            "omschrijving": body.get("omschrijving", ""),
            "verificatieDatum": None,
        }
        if body.get("referentie"):  # a pattern the empty text does not match
            adres["referentie"] = body["referentie"]
        self.digitale_adressen[key] = adres
        betrokkene["digitaleAdressen"].append(_ref(adres))
        return 201, adres

    def _digitaleadressenList(self, *, query, **_):
        wanted = query.get("verstrektDoorBetrokkene__uuid")
        found = [
            item
            for item in self.digitale_adressen.values()
            if wanted is None or item["verstrektDoorBetrokkene"]["uuid"] == wanted
        ]
        return 200, self._page(found)

    def _bijlagenCreate(self, *, body, **_):
        klantcontact = self.klantcontacten.get(str(body["wasBijlageVanKlantcontact"]["uuid"]))
        if klantcontact is None:
            return 400, {"invalidParams": [{"name": "wasBijlageVanKlantcontact", "reason": "?"}]}
        key, url = self._new("bijlagen")
        bijlage = {
            "uuid": key,
            "url": url,
            "wasBijlageVanKlantcontact": _ref(klantcontact),
            "bijlageidentificator": body["bijlageidentificator"],
        }
        self.bijlagen[key] = bijlage
        klantcontact["omvatteBijlagen"].append(_ref(bijlage))
        return 201, bijlage

    def _bijlagenList(self, *, query, **_):
        found = [
            item
            for item in self.bijlagen.values()
            if query.get("klantcontact__uuid") in (None, item["wasBijlageVanKlantcontact"]["uuid"])
            and query.get("bijlageidentificatorCodeRegister")
            in (None, item["bijlageidentificator"].get("codeRegister"))
            and query.get("bijlageidentificatorCodeObjecttype")
            in (None, item["bijlageidentificator"].get("codeObjecttype"))
        ]
        return 200, self._page(found)
