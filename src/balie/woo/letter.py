"""The draft decision letter (concept-besluit) of a Woo request, with the facts filled in:
the dates, what was found, the decision per document counted, and the grounds used with what
they protect. The Woo coordinator finishes it; it names no requester (it is the letter that
is published)."""

from __future__ import annotations

from collections import Counter

from django.utils import formats, timezone

from balie.woo.models import Decision, WooRequest
from balie.woo.selectors import deadline_of

__all__ = ["GROUNDS", "letter_data"]

# What each ground of the Woo protects, in a sentence of our own (art. 5.1 and 5.2 Woo).
GROUNDS = {
    "5.1.1c": "bedrijfs- en fabricagegegevens die vertrouwelijk aan de overheid zijn meegedeeld",
    "5.1.1d": "bijzondere persoonsgegevens, zoals gegevens over gezondheid, godsdienst of "
    "strafrechtelijke gegevens (absolute weigeringsgrond)",
    "5.1.1e": "identificatienummers, zoals het burgerservicenummer (absolute weigeringsgrond)",
    "5.1.2a": "de betrekkingen van Nederland met andere staten en internationale organisaties",
    "5.1.2d": "de opsporing en vervolging van strafbare feiten",
    "5.1.2e": "de eerbiediging van de persoonlijke levenssfeer",
    "5.1.2f": "de bescherming van andere dan in 5.1.1 bedoelde concurrentiegevoelige "
    "bedrijfs- en fabricagegegevens",
    "5.1.2h": "de beveiliging van personen en bedrijven en het voorkomen van sabotage",
    "5.1.2i": "het goed functioneren van de Staat, andere publiekrechtelijke lichamen of "
    "bestuursorganen",
    "5.2": "persoonlijke beleidsopvattingen in documenten opgesteld ten behoeve van intern beraad",
}
DECISION_WORDS = {
    Decision.PUBLIC: "openbaar",
    Decision.PARTLY_PUBLIC: "deels openbaar",
    Decision.NOT_PUBLIC: "niet openbaar",
    Decision.ALREADY_PUBLIC: "reeds openbaar",
}


def _day(value) -> str:
    return formats.date_format(value, "j F Y") if value else "…"


def letter_data(request: WooRequest) -> dict:
    documents = list(request.documents.all())
    counts = Counter(d.decision for d in documents if d.decision)
    grounds = sorted({g for d in documents for g in d.grounds})
    deadline = deadline_of(request)
    blocks: list[dict] = [
        {"text": "Geachte heer, mevrouw,"},
        {
            "text": f"Op {_day(request.received_on)} hebben wij uw verzoek op grond van de Wet "
            f"open overheid (Woo) ontvangen, met kenmerk {request.reference}. U vraagt om "
            f"openbaarmaking van informatie over: {request.subject}."
        },
        {"heading": "Termijn"},
        {
            "text": f"Wij moesten uiterlijk op {_day(deadline.due)} op uw verzoek beslissen"
            + (
                f", na verdaging met {deadline.extension_days} dagen"
                if deadline.extension_days
                else ""
            )
            + (
                f" en {deadline.suspended_days} dagen opschorting"
                if deadline.suspended_days
                else ""
            )
            + f". Dit besluit is genomen op {_day(request.decided_on or timezone.localdate())}."
        },
        {"heading": "Gevonden documenten"},
        {"text": f"Wij hebben {len(documents)} documenten gevonden. Wij maken openbaar:"},
        {
            "items": [
                f"{DECISION_WORDS[Decision(decision)]}: {counts[decision]} document(en)"
                for decision in Decision.values
                if counts[decision]
            ]
            or ["(nog geen besluit per document)"]
        },
        {"text": "Per document staat het besluit in de bijgevoegde inventarislijst."},
    ]
    if grounds:
        blocks += [
            {"heading": "Weigeringsgronden"},
            {
                "text": "Informatie die niet openbaar wordt, is in de documenten onleesbaar "
                "gemaakt; in elk zwart vlak staat de grond. Wij hebben deze gronden gebruikt:"
            },
            {"items": [f"artikel {g} Woo: {GROUNDS.get(g, '…')}" for g in grounds]},
        ]
    blocks += [
        {"heading": "Bezwaar"},
        {"text": "[Toelichting, afweging per grond en bezwaarclausule: aan te vullen.]"},
        {"text": f"Met vriendelijke groet,\n{request.organisation.name}"},
    ]
    return {
        "title": f"Besluit op Woo-verzoek {request.reference}",
        "publisher": request.organisation.name,
        "blocks": blocks,
    }
