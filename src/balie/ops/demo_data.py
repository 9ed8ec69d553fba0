"""Demo municipalities, staff for every role, and a few conversations.

Everything is created through the action functions, as real use would. Idempotent: a second
run on the same database changes nothing.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from balie.accounts.actions import do_create_api_key, do_create_staff_user, do_set_membership
from balie.accounts.models import TWO_FACTOR_ROLES, ApiScope, Role, User
from balie.accounts.twofactor import do_enrol_known_key
from balie.connectors.whatsapp.demo import demo_whatsapp
from balie.conversations import actions
from balie.conversations.models import Conversation, Direction, Routing, Status
from balie.tenants.actions import do_create_organisation
from balie.tenants.models import Organisation
from balie.tenants.theme import do_set_theme
from balie.woo.actions import do_register_request, do_set_status
from balie.woo.models import Decision
from balie.woo.models import Status as WooStatus
from balie.woo.review import do_collect, do_decide_document, do_propose_redactions

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - demo data only, printed to the terminal
# The demo's authenticator key for the roles that need two-step login (published, like the
# password: only set up when the demo secret key runs, never on a real installation).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

# (slug, name, gemeentecode, OIN); codes are CBS codes, OINs made up in the right format.
MUNICIPALITIES = [
    ("utrecht", "Gemeente Utrecht", "0344", "00000001002220647000"),
    ("groningen", "Gemeente Groningen", "0014", "00000001001589623000"),
]
# Each demo municipality looks like itself (docs/guides/theming.md): colours, font, a logo.
DEMO_THEMES = {
    "utrecht": {
        "color_primary": "#c8102e",
        "color_primary_text": "#ffffff",
        "font_family": "Fira Sans",
    },
    "groningen": {
        "color_primary": "#1d6b34",
        "color_primary_text": "#ffffff",
        "color_background": "#fbfaf5",
        "color_text": "#1b1b1b",
        "font_family": "Open Sans",
    },
}
ROLE_PEOPLE = {
    Role.AGENT: ("Anna", "de Vries"),
    Role.SUPERVISOR: ("Lotte", "Bakker"),
    Role.WOO_OFFICER: ("Wim", "Jansen"),
    Role.RECORDS_MANAGER: ("Rik", "Visser"),
    Role.ADMIN: ("Ada", "Smit"),
    Role.AUDITOR: ("Aziz", "El Amrani"),
}
USERNAME_PREFIX = {
    Role.AGENT: "agent_anna",
    Role.SUPERVISOR: "lead_lotte",
    Role.WOO_OFFICER: "woo_wim",
    Role.RECORDS_MANAGER: "records_rik",
    Role.ADMIN: "admin_ada",
    Role.AUDITOR: "auditor_aziz",
}
CHATS = [
    (
        "Burgerzaken",
        [
            (
                Direction.INBOUND,
                "Goedemiddag, mijn paspoort verloopt volgende maand. Moet ik een afspraak maken?",
            ),
            (
                Direction.OUTBOUND,
                "Goedemiddag! Ja, u kunt online een afspraak maken. Wilt u de link?",
            ),
            (Direction.INBOUND, "Graag, dank u wel."),
        ],
    ),
    (
        "Afval en buitenruimte",
        [
            (
                Direction.INBOUND,
                "Er ligt al drie dagen grofvuil naast de container aan de Lindenlaan.",
            ),
            (Direction.NOTE, "Melding doorgezet naar de buitendienst."),
        ],
    ),
    (
        "Algemeen",
        [
            (Direction.INBOUND, "Hoe vraag ik een parkeervergunning aan?"),
        ],
    ),
    (  # the README's search examples find this one: "vergunning", "cafe"
        "Algemeen",
        [
            (
                Direction.INBOUND,
                "Ik begin in mei een café aan de Oudegracht. Welke vergunningen heb ik nodig "
                "voor een terras?",
            ),
            (
                Direction.OUTBOUND,
                "Voor een terras vraagt u een terrasvergunning aan, en voor het café een "
                "exploitatievergunning. Ik stuur u de links.",
            ),
        ],
    ),
]


def username(slug: str, role: str) -> str:
    return f"{USERNAME_PREFIX[role]}_{slug}"


@transaction.atomic
def seed() -> dict[str, str]:
    """Create the demo data if missing. Returns {organisation slug: API key} for new keys."""
    keys: dict[str, str] = {}
    for slug, name, code, oin in MUNICIPALITIES:
        if Organisation.objects.filter(slug=slug).exists():
            continue
        organisation = do_create_organisation(name=name, slug=slug, gemeentecode=code, oin=oin)
        theme = DEMO_THEMES.get(slug, {})
        do_set_theme(organisation, actor=None, logo=demo_logo(theme["color_primary"]), **theme)
        people = {}
        for role, (first, last) in ROLE_PEOPLE.items():
            user = do_create_staff_user(
                username=username(slug, role),
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
            do_set_membership(user, organisation, role)
            if role in TWO_FACTOR_ROLES and settings.DEMO:
                do_enrol_known_key(user, DEMO_TOTP_KEY)
            people[role] = user
        teams = {
            team_name: actions.do_create_team(
                organisation,
                name=team_name,
                members=[people[Role.AGENT], people[Role.SUPERVISOR]],
                is_default=team_name == "Algemeen",
            )
            for team_name in ("Algemeen", "Burgerzaken", "Afval en buitenruimte")
        }
        for team_name, lines in CHATS:
            conversation, _token = actions.do_start_webchat(organisation)
            conversation = actions.do_assign(
                conversation, actor=people[Role.SUPERVISOR], team=teams[team_name], change_team=True
            )
            for direction, text in lines:
                author = None if direction == Direction.INBOUND else people[Role.AGENT]
                actions.do_send_message(
                    conversation,
                    direction=direction,
                    body=text,
                    client_id=f"demo-{uuid.uuid4().hex}",
                    author=author,
                )
            if team_name == "Burgerzaken":
                actions.do_change_status(
                    conversation, actor=people[Role.AGENT], status=Status.PENDING
                )
        _old_closed_chats(organisation, people)
        _canned_answers(organisation, people[Role.SUPERVISOR], teams)
        # New chats arrive in Algemeen: handed in turn to whoever is online with room (an
        # agent who sets themselves online in the console gets the waiting ones).
        actions.do_set_team_routing(
            teams["Algemeen"], Routing.ROUND_ROBIN, actor=people[Role.SUPERVISOR]
        )
        if slug == MUNICIPALITIES[0][0] and settings.DEMO:
            # A WhatsApp channel fed through the real webhook path (signed notifications),
            # answering through the stand-in Graph API that only a demo (demo key) serves.
            demo_whatsapp(organisation)
        _key, secret = do_create_api_key(
            organisation, name="Demo-koppeling", scopes=list(ApiScope.values)
        )
        keys[slug] = secret
    return keys


CANNED = [
    (
        None,
        "welkom",
        "Welkom",
        "Goedendag {resident_name}, u spreekt met {agent_first_name} van {organisation}. "
        "Waarmee kan ik u helpen?",
        "Good day {resident_name}, this is {agent_first_name} of {organisation}. "
        "How can I help you?",
    ),
    (
        None,
        "openingstijden",
        "Openingstijden stadskantoor",
        "Het stadskantoor is open van maandag tot en met vrijdag, van 9.00 tot 17.00 uur. "
        "Op donderdag tot 20.00 uur, alleen op afspraak.",
        "The city office is open Monday to Friday, 9:00 to 17:00; on Thursdays until 20:00, "
        "by appointment only.",
    ),
    (
        "Burgerzaken",
        "paspoort-kwijt",
        "Paspoort kwijt of gestolen",
        "Beste {resident_name}, meld uw paspoort als vermist bij de balie. Maak daarvoor een "
        "afspraak op onze website. Neem een pasfoto mee. Met vriendelijke groet, "
        "{agent_first_name}",
        "",
    ),
    (
        "Afval en buitenruimte",
        "container",
        "Container niet geleegd",
        "Beste {resident_name}, dank voor uw melding (gesprek {conversation_number}). "
        "We sturen de wagen binnen twee werkdagen opnieuw langs.",
        "Dear {resident_name}, thank you for letting us know (conversation "
        "{conversation_number}). The truck will come again within two working days.",
    ),
]


def _canned_answers(organisation: Organisation, lead, teams: dict) -> None:
    for team_name, shortcut, title, body_nl, body_en in CANNED:
        actions.do_create_canned_answer(
            organisation,
            actor=lead,
            shortcut=shortcut,
            title=title,
            body_nl=body_nl,
            body_en=body_en,
            team=teams[team_name] if team_name else None,
        )


def demo_logo(colour: str) -> bytes:
    """A made-up coat of arms: a shield in two halves, the colour and white (PNG)."""
    image = Image.new("RGBA", (160, 192), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    shield = [(8, 8), (152, 8), (152, 110), (80, 184), (8, 110)]
    draw.polygon(shield, fill="#ffffff", outline=colour, width=8)
    draw.polygon([(80, 8), (152, 8), (152, 110), (80, 184)], fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# Closed long ago, so the records pages have something due (and one held by a Woo request).
OLD_CHATS = [
    (800, "Wanneer is het gemeentehuis open op Koningsdag?", "Op Koningsdag zijn we gesloten."),
    (420, "Kan ik mijn rijbewijs ook op zaterdag ophalen?", "Ja, op zaterdagochtend."),
    (
        900,
        "Ik wil een klacht indienen over de stoep voor Kerkstraat 12. Ik zit in een rolstoel "
        "en kom er niet langs. Groet, Fatima el Amrani, 06-12345678",
        "Dank u mevrouw El Amrani, wij nemen de klacht in behandeling.",
    ),
]


def _old_closed_chats(organisation: Organisation, people: dict) -> None:
    agent = people[Role.AGENT]
    closed = []
    for days, question, answer in OLD_CHATS:
        conversation, _token = actions.do_start_webchat(organisation)
        for direction, text, author in (
            (Direction.INBOUND, question, None),
            (Direction.OUTBOUND, answer, agent),
        ):
            actions.do_send_message(
                conversation, direction=direction, body=text,
                client_id=f"demo-{uuid.uuid4().hex}", author=author,
            )  # fmt: skip
        actions.do_change_status(conversation, actor=agent, status=Status.CLOSED)
        # Demo only: pretend it was closed `days` ago (real closing dates are never moved).
        Conversation.objects.filter(pk=conversation.pk).update(
            closed_at=timezone.now() - timedelta(days=days)
        )
        closed.append(conversation)
    _woo_request(organisation, people[Role.WOO_OFFICER], closed[-1])


def _woo_request(organisation: Organisation, woo_officer, complaint: Conversation) -> None:
    """A Woo request with its document collected (which holds it), the detector's proposals
    and a decision, so that a new user sees the workbench at once (docs/guides/woo.md)."""
    request = do_register_request(
        organisation.pk, actor=woo_officer, reference="WOO-2026-001",
        received_on=(timezone.localdate() - timedelta(days=10)).isoformat(),
        subject="Klachten over de openbare ruimte", requester_name="J. de Vries",
        requester_contact="j.devries@example.org",
        scope="Alle berichten over klachten over stoepen en straten.",
    )  # fmt: skip
    do_set_status(request, actor=woo_officer, status=WooStatus.COLLECTING)
    (document,) = do_collect(
        request, actor=woo_officer, conversation_ids=[complaint.pk], found_by="klacht stoep"
    )
    do_propose_redactions(request, actor=woo_officer)
    do_set_status(request, actor=woo_officer, status=WooStatus.ASSESSING)
    do_decide_document(
        document, actor=woo_officer, decision=Decision.PARTLY_PUBLIC,
        grounds=sorted(set(document.redactions.values_list("ground", flat=True))),
        explanation="Persoonsgegevens en gezondheidsgegevens van de melder gelakt.",
    )  # fmt: skip


def staff_logins() -> list[tuple[str, str, str]]:
    """(organisation, role, username) for every demo login that exists."""
    rows = []
    for slug, name, _code, _oin in MUNICIPALITIES:
        for role in ROLE_PEOPLE:
            if User.objects.filter(username=username(slug, role)).exists():
                rows.append((name, str(Role(role).label), username(slug, role)))
    return rows
