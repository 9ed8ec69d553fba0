"""Words of Dutch local government and of Dutch small talk, by field, written for this model.

The corpus cannot hold every word an official's phone will: these lists give the model a
feature per field (``lex:vergunningen``, ``lex:familie``, …) that fires on any form of the
words below, so "omgevingsvergunningaanvraag", "handhavingsverzoek" or "kavelprijs" count even
when the corpus never had them. Each entry is a stem matched at the start of a word or, when
it is long enough to be unambiguous (:data:`INSIDE`), anywhere inside a compound. The model
learns each field's weight; a field never decides alone (a family joke with "raad" stays a
joke: the words around it and the chat weigh too).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["FIELDS", "fields_in"]

INSIDE = 7  # a stem this long is also found inside a compound ("bouwvergunning")

FIELDS: dict[str, tuple[str, ...]] = {
    # administrative matters (bestuurlijke aangelegenheden)
    "ruimtelijke_ordening": (
        "bestemmingsplan", "omgevingsplan", "omgevingswet", "omgevingsvisie", "structuurvisie",
        "ruimtelijk", "inspraak", "zienswijze", "bouwblok", "bouwhoogte", "dakkapel", "aanbouw",
        "uitbouw", "welstand", "monument", "woningbouw", "nieuwbouw", "gebiedsontwikkeling",
        "stedenbouw", "verkaveling", "transformatie", "tekening", "bouwplan", "schetsontwerp",
        "participatie", "informatieavond", "buurtavond",
    ),
    "vergunningen": (
        "vergunning", "ontheffing", "melding", "aanvraag", "aanvragen", "leges",
        "exploitatie", "terras", "sluitingstijd", "openingstijd", "evenementenverg", "kapverg",
        "ligplaats", "standplaats", "markt", "precario", "parkeervergunning", "ontvankelijk",
        "beschikking", "besluit", "termijn", "verlenging", "bezwaar", "beroep", "hoorzitting",
    ),
    "handhaving": (
        "handhaving", "boa", "toezicht", "controle", "overtreding", "last onder", "dwangsom",
        "bestuursdwang", "waarschuwing", "proces-verbaal", "boete", "illegaal", "geluidsoverlast",
        "overlast", "klacht", "sluiting", "inval", "hennep", "ondermijning", "wrak", "zwerfvuil",
        "dumping", "campinggast", "permanente bewoning",
    ),
    "grond_en_vastgoed": (
        "perceel", "kavel", "grondprijs", "grondexploitatie", "grex", "erfpacht", "taxatie",
        "koopovereenkomst", "anterieure", "intentieovereenkomst", "ontwikkelaar", "projectontw",
        "vastgoed", "aankoop", "verkoop", "onteigening", "voorkeursrecht", "hectare",
        "vierkante meter", "miljoen", "bod", "onderhandel", "corporatie",
        "sociale huur", "middenhuur", "woningen",
    ),
    "sociaal_domein": (
        "wmo", "jeugdzorg", "jeugdhulp", "participatiewet", "bijstand", "uitkering",
        "schuldhulp", "schuldsanering", "huisbezoek", "keukentafel", "indicatie", "mantelzorg",
        "trapleuning", "traplift", "scootmobiel", "huishoudelijke hulp", "beschermd wonen",
        "zorgaanbieder", "inkoop", "dagbesteding", "leerplicht", "inburgering", "statushouder",
        "vluchteling", "opvang",
    ),
    "openbare_ruimte": (
        "lantaarnpa", "straatverlichting", "verlichting", "lichtmast", "lampen", "stoep",
        "trottoir", "bestrating", "verharding", "riolering", "riool", "wegwerkzaamheden",
        "rijplaten", "omleiding", "afsluiting", "groenonderhoud", "snoeien", "kapvergunning",
        "boom", "bomen", "speeltuin", "bladkorf", "afval", "container", "kliko", "vuilnis",
        "ophaaldag", "parkeren", "parkeerplaats", "verkeersdrempel", "fietspad", "gladheid",
        "strooien", "kuil", "gat in de weg", "melding openbare",
    ),
    "evenementen": (
        "evenement", "festival", "kermis", "braderie", "optocht", "koningsdag", "kerstmarkt",
        "draaiboek", "veiligheidsplan", "verkeersregelaar", "ehbo", "geluidsnorm", "decibel",
        "podium", "tent", "vergunningaanvraag", "openluchtconcert",
    ),
    "financien": (
        "begroting", "subsidie", "budget", "krediet", "dekking", "factuur", "offerte",
        "aanbesteding", "tender", "gunning", "inschrijving", "bijdrage", "btw", "jaarrekening",
        "voorjaarsnota", "najaarsnota", "bezuiniging", "kosten", "euro", "€",
    ),
    "raad_en_college": (
        "gemeenteraad", "raadslid", "raadsleden", "raadsvoorstel", "raadsvergadering",
        "raadsinformatiebrief", "collegevoorstel", "collegebesluit", "college van b", "wethouder",
        "burgemeester", "portefeuille", "griffie", "griffier", "motie", "amendement",
        "schriftelijke vragen", "commissie", "fractie", "coalitie", "oppositie", "agenda",
        "stuk", "notitie", "memo", "advies", "nota", "woo", "woo-verzoek", "wob",
        "archief", "selectielijst", "vernietig", "zaaknummer", "zaaksysteem", "dossier",
        "overleg", "afspraak", "vergadering", "persbericht", "pers", "journalist",
        "provincie", "waterschap", "ministerie", "veiligheidsregio", "regio",
    ),
    # private life
    "familie": (
        "mam", "mama", "pap", "papa", "oma", "opa", "schat", "lieverd", "liefje", "broer",
        "zus", "zusje", "schoonzus", "zwager", "schoonmoeder", "tante", "oom", "neef", "nicht",
        "kinderen", "de kids", "kleinkind", "baby", "zwanger", "bevallen",
    ),
    "vieren": (
        "jarig", "verjaardag", "gefeliciteerd", "proficiat", "hoera", "taart", "cadeau",
        "feestje", "bruiloft", "trouwen", "jubileum", "kerst", "oud en nieuw", "sinterklaas",
        "fijne feestdagen",
    ),
    "vrije_tijd": (
        "vakantie", "weekend", "zeilen", "fietsen", "wandelen", "hardlopen", "sportschool",
        "yoga", "training", "wedstrijd", "uitslag", "gewonnen", "verloren", "concert",
        "film", "serie", "netflix", "aflevering", "boek", "tuin", "camping", "strand",
        "skiën", "terrasje", "biertje", "wijntje", "borrel", "bbq", "barbecue", "pizza",
        "eten", "koken", "recept", "koffie", "lunch",
    ),
    "gezondheid": (
        "ziek", "koorts", "griep", "verkouden", "dokter", "huisarts", "ziekenhuis",
        "tandarts", "beterschap", "hoofdpijn", "rug", "uitvaart", "gecondoleerd", "sterkte",
    ),
    "gevoel": (
        "haha", "hihi", "lol", "😂", "🤣", "😅", "😘", "😍", "❤", "💕", "🥰", "xx", "liefs",
        "knuffel", "dikke kus", "gezellig", "leuk", "lekker", "jammer", "balen", "pff",
    ),
}  # fmt: skip


_SINGLE: dict[str, str] = {}  # stem -> field, for one-word stems
_MULTI: dict[str, str] = {}  # "last onder" -> field: found in the text itself
for _field, _stems in FIELDS.items():
    for _stem in _stems:
        (_MULTI if " " in _stem else _SINGLE).setdefault(_stem, _field)
_LONGEST = max(map(len, _SINGLE))


@lru_cache(maxsize=200_000)
def _word_fields(word: str) -> tuple[str, ...]:
    """The fields of one word: its longest stem at the start, else stems inside it."""
    for size in range(min(len(word), _LONGEST), 0, -1):
        field = _SINGLE.get(word[:size])
        if field and (size >= 2 or not word[0].isalnum()):
            return (field,)
    found = []
    start = 1
    while start <= len(word) - INSIDE:
        for size in range(min(len(word) - start, _LONGEST), INSIDE - 1, -1):
            field = _SINGLE.get(word[start : start + size])
            if field:
                found.append(field)
                start += size - 1
                break
        start += 1
    return tuple(dict.fromkeys(found))


def fields_in(words: list[str], lowered: str) -> list[str]:
    """The fields whose words occur among ``words`` (the text's tokens, lower case) and, for
    stems of several words, in ``lowered`` (the text in lower case)."""
    out = [field for word in words for field in _word_fields(word)]
    if " " in lowered:
        out.extend(field for stem, field in _MULTI.items() if stem in lowered)
    return out
