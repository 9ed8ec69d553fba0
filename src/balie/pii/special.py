"""Special personal data (bijzondere persoonsgegevens) and criminal data: the cue words.

Health, religion or belief, ethnic origin, political opinion, trade-union membership, sexual
orientation and criminal records (GDPR art. 9 and 10; Woo 5.1.1d). A strong cue says it on
its own ("kanker", "strafblad", "moslim"); a weak one only when the sentence is about a person
("opgenomen in het ziekenhuis" with "mijn moeder", not "het ziekenhuis is verbouwd"). The span
is the cue; the reviewer decides how much of the sentence goes with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .spans import Found
from .vocabulary import words

__all__ = ["find_special"]

STRONG = [
    w.replace("_", " ")
    for w in words(r"""
kanker tumor leukemie chemo chemokuur chemotherapie bestraling depressie depressief depressieve
burn-out burnout overspannen psychose psychotisch schizofrenie schizofreen bipolair
borderline ptss trauma getraumatiseerd suïcidaal suicidaal zelfmoord suïcide zelfdoding
dementie dement alzheimer parkinson ms hiv aids soa diabetes suikerziekte epilepsie
astma copd hartaanval herseninfarct beroerte hartinfarct hernia reuma fibromyalgie long-covid
longcovid autisme autistisch adhd add dyslexie verstandelijke_beperking verstandelijk_beperkt
lichamelijke_beperking gehandicapt invalide blind doof slechthorend slechtziend
zwanger zwangerschap miskraam abortus ivf bevalling bevallen verslaafd verslaving
alcoholist alcoholverslaving drugsverslaving afkickkliniek afkicken ggz-behandeling
psychiater psychiatrische_opname chronische_ziekte crohn colitis gesloten_afdeling ggz
medicatie antidepressiva
methadon insuline dialyse transplantatie amputatie rolstoel scootmobiel rollator
traplift incontinent incontinentie artrose artritis hartfalen hartklachten drugs
drugsgebruik gokverslaving alcoholprobleem enkelband migraine hernia kruisband opgepakt
halt halt-straf contactverbod gebiedsverbod huisverbod straatverbod locatieverbod
ziekteverlof ziektewet arbeidsongeschikt wajong wia sociaal-medische diabeet epileptisch
gips hartpatiënt vakbondslid pregnant cancer depression wheelchair disabled disability
prison convicted muslim jewish homosexual lesbian
kruisbandblessure blessure hersenschudding fractuur artrose longziekte nierziekte
pinkstergemeente baptistengemeente evangelisch evangelische gedoopt doop communie vormsel
suikerfeest offerfeest pesach sabbat koran bijbel imam dominee pastoor priester rabbijn

moslim moslima islamitisch islamitische christen christelijk christelijke katholiek katholieke
protestant protestantse joods joodse hindoe hindoestaans boeddhist boeddhistisch
jehova getuige_van_jehova gereformeerd gereformeerde atheïst ramadan hoofddoek
synagoge
homo homoseksueel homoseksuele lesbisch lesbienne biseksueel transgender transseksueel
non-binair queer lhbti lhbtiq
strafblad veroordeeld veroordeling gevangenis gevangenisstraf celstraf detentie
gedetineerd gedetineerde taakstraf werkstraf reclassering enkelband voorwaardelijk
tbs jeugddetentie jeugdgevangenis proces-verbaal aangehouden gearresteerd arrestatie
verdachte verdacht strafzaak politierechter
vakbond fnv cnv
pvv vvd cda d66 sp pvda groenlinks bbb fvd ja21 denk volt partij_voor_de_dieren
christenunie sgp nsc
""")
]
WEAK = words(r"""
ziekenhuis opname opgenomen operatie geopereerd medicijnen gebroken breuk broken handicap
hospital sick church mosque
therapie fysio fysiotherapie revalidatie revalideren specialist gelovig
moskee bidden gebed afkomst kliniek delict kerk psycholoog
ziekmelding ziekgemeld
etniciteit allochtoon
""")
PERSONAL = re.compile(
    r"(?i)\b(?:ik|mij|me|mijn|m'n|je|jij|jouw|u|uw|hij|hem|zijn|z'n|zij|ze|haar|hun|wij|we|"
    r"ons|onze|moeder|vader|zoon|dochter|man|vrouw|partner|buurman|buurvrouw|broer|zus|opa|"
    r"oma|kind|kinderen|cliënt|client|bewoner|meneer|mevrouw|dhr|mw|my|he|she|his|her)\b"
)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# compounds: "angststoornis", "gokverslaving", "longkanker", "nierziekte", "hartinfarct"
COMPOUNDS = (
    "stoornis",
    "verslaving",
    "verslaafd",
    "kanker",
    "ziekte",
    "syndroom",
    "tumor",
    "infarct",
    "ontsteking",
    "handicap",
    "beperking",
    "patiënt",
    "patient",
    "reclassering",
)
# ... and compounds that start with it: "gehandicaptenparkeerkaart", "vakbondslid"
PREFIXES = ("gehandicapt", "vakbonds", "psychiatr", "blindengeleide", "verslavings")
STRONG_WORDS = frozenset(w.lower() for w in STRONG if " " not in w)
WEAK_WORDS = frozenset(w.lower() for w in WEAK)
PHRASES = re.compile(rf"(?i)(?<![\w-])(?:{_alternation([w for w in STRONG if ' ' in w])})(?![\w-])")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?\n]")
PARTIES = frozenset(
    {
        "pvv",
        "vvd",
        "cda",
        "d66",
        "sp",
        "pvda",
        "groenlinks",
        "bbb",
        "fvd",
        "ja21",
        "denk",
        "volt",
        "partij voor de dieren",
        "christenunie",
        "sgp",
        "nsc",
        "fnv",
        "cnv",
        "vakbond",
        "ms",
        "add",
        "aids",
        "hiv",
        "soa",
        "tbs",
        "copd",
        "ggz",
    }
)
ABBREVIATIONS = frozenset({"ms", "add", "sp", "cnv"})  # only in capitals: "MS", not "ms"
CONDITIONS = frozenset({"aids", "hiv", "soa", "copd", "ggz", "ms", "add", "tbs"})
MEMBERSHIP = re.compile(
    r"(?i)\b(?:lid|leden|stem|stemde|stemmen|gestemd|aanhanger|kiezer|"
    r"member|voted?|ik ben|is)\b[^.!?\n]{0,20}$"
)


def cue_kind(lower: str) -> int:
    """2 for a strong cue, 1 for a weak one, 0 for none (the name finder's tokenisation asks
    this once per distinct word and passes on only the cues)."""
    if lower in STRONG_WORDS or (
        len(lower) > 8 and (lower.endswith(COMPOUNDS) or lower.startswith(PREFIXES))
    ):
        return STRONG_CUE
    return WEAK_CUE if lower in WEAK_WORDS else 0


STRONG_CUE, WEAK_CUE = 2, 1


def find_special(
    text: str, cues: Iterable[tuple[int, int, str, str]] | None = None, about_someone: bool = False
) -> list[Found]:
    """``cues``: the text's cue words as (start, end, word, lowercase) when already read (the
    detector passes the name finder's); ``about_someone``: the detector found a name in it."""
    found: list[Found] = []
    # A chat message is short: a pronoun or a name anywhere in it makes it about someone.
    personal = about_someone or PERSONAL.search(text) is not None
    if cues is None:
        cues = ((m.start(), m.end(), m.group(), m.group().lower()) for m in WORD.finditer(text))
    for start, end, word, lower in cues:
        kind = cue_kind(lower)
        if kind == STRONG_CUE:
            if lower in PARTIES:
                if lower in ABBREVIATIONS and not word.isupper():
                    continue
                sentence_start = max(
                    (e.end() for e in SENTENCE_END.finditer(text, 0, start)), default=0
                )
                if lower not in CONDITIONS and not MEMBERSHIP.search(text, sentence_start, start):
                    continue  # a party is special only as someone's membership or vote
            found.append((start, end, "special", 0.85, "special:cue"))
        elif kind == WEAK_CUE and personal:
            found.append((start, end, "special", 0.6, "special:cue+person"))
    if " " in text:
        found.extend(
            (m.start(), m.end(), "special", 0.85, "special:cue") for m in PHRASES.finditer(text)
        )
    return found
