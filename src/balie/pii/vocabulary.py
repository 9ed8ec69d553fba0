"""Hand-written word tables of the detector: cues, words that look like names, street suffixes.

Written for Balie from how Dutch residents and officials write in chats. Each table says what
it is for; the guide (docs/guides/privacy-detection.md) says how to extend them.
"""

from __future__ import annotations

__all__ = [
    "words",
    "STREET_WORDS",
    "TITLES",
    "TITLE_PHRASES",
    "CALENDAR",
    "EXTRA_FIRST_NAMES",
    "FIRST_NAME_WORDS",
    "GENERIC_MAILBOXES",
    "INTRO_CUES",
    "CLOSING_CUES",
    "RELATION_CUES",
    "NON_PERSON_NAMES",
    "ORGANISATION_WORDS",
    "STREET_SUFFIXES",
]


def words(text: str) -> frozenset[str]:
    """A table written as words separated by white space."""
    return frozenset(text.split())


# Given names in the published lists that are, in chat, far more often a Dutch or English word:
# alone and lowercase they are words; after a cue or inside a full name they are names.
FIRST_NAME_WORDS = words("""
aan ben wil jouw klaar men augustus tien hart kent ken baan zomer brand bouwen hoi lieve max
rijk koop islam erin zus my love storm winter india kader day burger an lot maan star lente
marine feite line fan junior zilver bruin constant king win jo boy kok beer ai mo rose fox
bloem roos nader just ouwe vos isis han may jazz roma vrouwtje tak can engel anno sky zweer
hang kong angel hee river nova wiel take hong age summer zonne lucky silver duke bin lam jet
hope alpha kick pier kas daily joy moon peer diesel ocean kit kar tea emo kam pol tan veer
pearl nike rover sol rem parel dee kay tiger justice mans kin has zwaan said flip eve zen
ninja terra floor lies hok raven alien fin blaas hero dia dot fee ward vin jade liberty chase
lotus bars sal skip cars fine seven lion haring rein lux tiny heaven ping mas sunny glen vita
mercy spike tin pax ale lava pluk nana sing pie done lean fake him mine nine july june
april mei juni juli maart brain lovely precious reina fine domino genesis mint gaia ocean
sterre lelie linde teun mus kee ties pip puk puck saar siem bink bor gul fer iet fay kiem
wille veere vive mille marne lisse mare ridge nine dies lie trinity destiny faith hope grace
""")

# Given names common in the Netherlands that the published list lacks.
EXTRA_FIRST_NAMES = words("""
wilhelmina johanna cornelis hendrika geertruida petronella catharina jacoba adriana
""")

# Capitalised words that are never a person on their own: months, days, holidays.
CALENDAR = words("""
januari februari maart april mei juni juli augustus september oktober november december
jan feb mrt apr jun jul aug sep sept okt nov dec maandag dinsdag woensdag donderdag vrijdag
zaterdag zondag pasen pinksteren kerst kerstmis sinterklaas koningsdag
""")

# Titles, forms of address and public offices before a name ("mevrouw Bakker", "dhr. Jansen",
# "wethouder Dijksma"); the title is never part of the name's span. (deduce's prefix list adds
# the academic ones to the name finder's titles.)
TITLES = words("""
mevrouw mevr mw mvr mej meneer mijnheer mnr dhr hr heer mr dr drs ir ing prof juf juffrouw
meester zuster broeder mrs ms miss sir madam burgemeester wethouder raadslid gemeentesecretaris
griffier gedeputeerde minister staatssecretaris kamerlid fractievoorzitter ombudsman
""")
TITLE_PHRASES = ("de heer", "commissaris van de koning")

# Words that are a street on their own or end one: a name chunk ending in one is a street
# ("Willem Barentszstraat"), and alone, without more of a name, they are no street name.
STREET_WORDS = tuple(
    sorted(
        words("""
straat laan weg plein gracht kade singel markt steeg dreef allee boulevard plantsoen straatweg
straße strasse platz
""")
    )
)

# Words after which a person's name follows: "ik ben …", "mijn naam is …".
INTRO_CUES = (
    "ik ben",
    "ik heet",
    "mijn naam is",
    "mijn naam",
    "naam is",
    "naam:",
    "naam =",
    "dit is",
    "u spreekt met",
    "je spreekt met",
    "spreekt met",
    "hier is",
    "my name is",
    "my name",
    "name is",
    "i am",
    "i'm",
    "this is",
    "naam van mij is",
    "namens",
    "aanvrager:",
    "melder:",
    "bewoner:",
    "contactpersoon:",
    "contactpersoon",
    "t.a.v.",
    "tav",
    "ter attentie van",
)

# Closings after which the writer's name follows: "groet, …", "mvg …".
CLOSING_CUES = (
    "met vriendelijke groet",
    "vriendelijke groet",
    "vriendelijke groeten",
    "met groet",
    "hartelijke groet",
    "hartelijke groeten",
    "groeten",
    "groetjes",
    "groet",
    "gr",
    "grt",
    "mvg",
    "m.v.g.",
    "vg",
    "dank",
    "dankjewel",
    "bedankt",
    "kind regards",
    "regards",
    "best regards",
    "cheers",
    "thanks",
    "groetjes van",
)

# A relation or role before a name: "mijn buurman Kees", "collega Anna".
RELATION_CUES = words("""
buurman buurvrouw buren zoon dochter man vrouw partner vriend vriendin moeder vader broer
zus zusje broertje opa oma oom tante neef nicht schoonmoeder schoonvader kleinzoon
kleindochter collega cliënt client klant bewoner huurder verhuurder mantelzorger
casemanager consulent begeleider wijkagent handhaver boa behandelaar medewerker
medewerkster leidinggevende teamleider manager huisgenoot ex stiefvader stiefmoeder
dochtertje zoontje kind kinderen baby meneer mevrouw heer compagnon zakenpartner
vriendje vriendinnetje kleinkind kleinkinderen son daughter wife husband neighbour
neighbor mother father brother sister partner colleague child
""")

# Organisations and brands that look like a person's name.
NON_PERSON_NAMES = frozenset(
    {
        "albert heijn",
        "jan linders",
        "hema",
        "c&a",
        "anne frank huis",
        "van gogh museum",
        "dirk van den broek",
        "mediamarkt",
        "max verstappen circuit",
        "willem-alexander",
        "máxima",
        "maxima",
        "juliana",
        "beatrix",
        "sinterklaas",
        "piet hein",
        "jeroen bosch ziekenhuis",
        "rembrandt",
        "van gogh",
    }
)

# Word endings of companies and institutions that carry a person's name: "Bakkerij Visser",
# "Klusbedrijf Smit", "Uitvaartzorg Van den Heuvel", "Zorggroep De Linde".
ORGANISATION_WORDS = (
    "bedrijf",
    "bedrijven",
    "zorg",
    "groep",
    "bakkerij",
    "slagerij",
    "kwekerij",
    "drukkerij",
    "makelaardij",
    "praktijk",
    "school",
    "stichting",
    "vereniging",
    "kliniek",
    "apotheek",
    "installaties",
    "installatie",
    "transport",
    "bouw",
    "garage",
    "advies",
    "advocaten",
    "notariaat",
    "notarissen",
    "holding",
    "b.v",
    "bv",
    "v.o.f",
    "vof",
    "centrum",
    "winkel",
    "restaurant",
    "café",
    "cafe",
    "hotel",
    "camping",
    "fonds",
    "instituut",
    "museum",
    "ziekenhuis",
    "college",
    "academie",
    "services",
    "diensten",
    "partners",
    "consultancy",
    "schoonmaak",
    "verhuur",
    "taxi",
    "kinderopvang",
    "opvang",
    "theater",
    "kerk",
    "moskee",
)

# Role mailboxes of organisations: info@…, klantcontact@… are not a person's address.
GENERIC_MAILBOXES = words("""
info contact kcc klantcontact klantenservice noreply no-reply support helpdesk servicedesk
post postbus secretariaat gemeente burgerzaken belastingen wmo woo privacy fg receptie
balie vragen loket administratie facturen factuur crediteuren debiteuren communicatie pers
webmaster klachten bezwaar vergunningen omgevingsloket afval parkeren sociaal jeugd
""")

# Endings of Dutch street names ("Kerkstraat", "Oudegracht", "Coolsingel").
STREET_SUFFIXES = (
    "straat",
    "straatje",
    "laan",
    "weg",
    "plein",
    "pleintje",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "pad",
    "hof",
    "dreef",
    "steeg",
    "markt",
    "park",
    "plantsoen",
    "baan",
    "wal",
    "veld",
    "ring",
    "allee",
    "boulevard",
    "dam",
    "erf",
    "gang",
    "haven",
    "hoven",
    "oord",
    "pier",
    "plaats",
    "poort",
    "schans",
    "sloot",
    "tuin",
    "tuinen",
    "vaart",
    "vliet",
    "wetering",
    "zijde",
    "zoom",
    "brink",
    "akker",
    "akkers",
    "horst",
    "kamp",
    "heuvel",
    "donk",
    "lei",
    "hage",
    "wijk",
    "burgwal",
    "dwarsstraat",
    "dreef",
    "rade",
    "stede",
    "hove",
    "kwartier",
    "passage",
    "promenade",
    "esplanade",
    "kanaal",
    "buurt",
    "polder",
    "linie",
    "beemd",
    "meent",
    "weide",
    "wei",
    "bos",
    "veen",
    "berg",
    "hoek",
    "molen",
    "eiland",
    "lint",
    "driesch",
    # abroad, where residents move: "Venloer Straße 241", "Rue de la Loi 16"
    "strjitte",  # Frisian: "Tsjerkestrjitte 3", "Skieppepaed 12"
    "paed",
    "dyk",
    "leane",
    "buorren",
    "hiem",
    "straße",
    "strasse",
    "platz",
    "gasse",
    "allee",
    "street",
    "road",
    "avenue",
)
