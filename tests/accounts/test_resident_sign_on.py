"""Residents' optional DigiD login through the organisation's OIDC broker (accounts.residents,
conversations.actions.identity, web.resident.login), end to end against a local provider over
real HTTP (tests/fakes/oidc.py), and what agents may (not) see of the BSN."""

from __future__ import annotations

import secrets
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from balie.accounts import residents
from balie.accounts.bsn import bsn_digest, bsn_problem
from balie.accounts.models import ResidentSignOn
from balie.accounts.residents import do_configure_resident_sign_on
from balie.archive.models import ArchiveEvent, AuditEntry
from balie.conversations import actions, events
from balie.conversations.models import Contact, Conversation
from balie.tenants.secrets import unseal
from balie.web.resident.sessions import COOKIE
from tests.factories import send
from tests.fakes.oidc import DIGID_ACR, FakeOidc

BASIS, MIDDEN, SUBSTANTIEEL, HOOG = DIGID_ACR
BSN = "111222333"  # passes the 11-test
OTHER_BSN = "123456782"
NOT_ELEVEN = "123456789"


def callback_uri(slug: str) -> str:
    return f"http://testserver/c/{slug}/login/callback/"


@pytest.fixture
def idp():
    with FakeOidc() as fake:
        yield fake
        assert fake.violations == []


def configure(organisation, idp, **options):
    client_id = f"balie-{organisation.slug}-digid"
    idp.add_client(client_id, f"secret-of-{client_id}", callback_uri(organisation.slug))
    settings_ = {
        "issuer": idp.issuer,
        "client_id": client_id,
        "client_secret": f"secret-of-{client_id}",
        "acr_values": [SUBSTANTIEEL, HOOG],
        **options,
    }
    return do_configure_resident_sign_on(organisation, **settings_)


@pytest.fixture
def utrecht_digid(utrecht, utrecht_team, idp):
    return configure(utrecht, idp)


def digid_login(client: Client, slug: str = "utrecht", *, callback_client: Client | None = None):
    """Click "Log in with DigiD", let the broker answer, and follow it back to Balie."""
    start = client.get(f"/c/{slug}/login/")
    assert start.status_code == 302, start
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(callback_uri(slug))
    return (callback_client or client).get(back.removeprefix("http://testserver"))


def refusal_code(response) -> str:
    html = response.content.decode()
    marker = 'data-code="'
    assert marker in html, html
    return html.split(marker, 1)[1].split('"', 1)[0]


def link(client: Client, token: str, slug: str = "utrecht"):
    return client.post(f"/c/{slug}/me/link/", HTTP_X_BALIE_TOKEN=token)


# --- the number and its digest -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (BSN, None),
        (OTHER_BSN, None),
        (NOT_ELEVEN, "bsn_elfproef"),
        ("000000000", "bsn_elfproef"),
        ("12345678", "bsn_not_nine_digits"),
        ("1234567890", "bsn_not_nine_digits"),
        ("12345678a", "bsn_not_nine_digits"),
        ("١١١٢٢٢٣٣٣", "bsn_not_nine_digits"),
    ],
)
def test_the_eleven_test(value, problem):
    assert bsn_problem(value) == problem


def test_digests_differ_per_organisation_and_follow_the_key(settings):
    assert bsn_digest(1, BSN) != bsn_digest(2, BSN)
    assert bsn_digest(1, BSN) == bsn_digest(1, BSN) and len(bsn_digest(1, BSN)) == 64
    before = bsn_digest(1, BSN)
    settings.RESIDENT_BSN_DIGEST_KEY = "a-key-of-its-own"
    assert bsn_digest(1, BSN) != before


# --- the login ---------------------------------------------------------------------------


def test_happy_path_identifies_the_resident(client, utrecht, utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    response = digid_login(client)
    assert response.status_code == 302 and response["Location"] == "/c/utrecht/?lang=nl"
    contact = Contact.objects.get(organisation=utrecht, bsn_digest=bsn_digest(utrecht.pk, BSN))
    assert contact.identified_at is not None
    assert BSN not in contact.bsn_sealed and unseal(contact.bsn_sealed) == BSN
    assert idp.calls == ["discovery", "authorize", "token", "jwks"]
    assert idp.acr_requests == [f"{SUBSTANTIEEL} {HOOG}"]
    cookie = client.cookies[COOKIE]
    assert cookie["path"] == "/c/utrecht/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "sessionid" not in client.cookies  # the staff session is not touched
    page = client.get("/c/utrecht/").content.decode()
    assert "/c/utrecht/logout/" in page and "/c/utrecht/login/" not in page


def test_the_identification_is_archived_without_the_bsn(client, utrecht, utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=HOOG)
    digid_login(client)
    contact = Contact.objects.get(organisation=utrecht)
    event = ArchiveEvent.objects.get(organisation=utrecht, event_type="contact.identified")
    assert event.payload == {"contact": contact.pk, "method": "digid", "acr": HOOG}
    assert event.actor_kind == "resident"


def test_a_second_login_finds_the_same_contact(utrecht, utrecht_digid, idp):
    for _ in range(2):
        idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
        digid_login(Client())
    assert Contact.objects.filter(organisation=utrecht).count() == 1
    assert ArchiveEvent.objects.filter(event_type="contact.identified").count() == 1


def test_a_used_state_cannot_be_replayed(client, utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    start = client.get("/c/utrecht/login/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    path = back.removeprefix("http://testserver")
    assert client.get(path).status_code == 302
    again = client.get(path)
    assert again.status_code == 403 and refusal_code(again) == "resident_login_bad_state"


def test_a_state_from_another_browser_is_refused(utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    response = digid_login(Client(), callback_client=Client())
    assert refusal_code(response) == "resident_login_bad_state"
    assert not Contact.objects.exclude(bsn_digest="").exists()


def test_an_expired_state_is_refused(client, utrecht_digid, idp, monkeypatch):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    monkeypatch.setattr(residents, "STATE_MAX_AGE", -1)  # any login is older than that
    response = digid_login(client)
    assert response.status_code == 403
    assert refusal_code(response) == "resident_login_expired_state"


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("nonce", "resident_login_bad_nonce"),
        ("audience", "resident_login_wrong_audience"),
        ("expired", "resident_login_expired"),
        ("issuer", "resident_login_wrong_issuer"),
        ("signature", "resident_login_bad_signature"),
    ],
)
def test_a_token_that_does_not_check_out_is_refused(client, utrecht_digid, idp, tamper, code):
    idp.login("digid-1", tamper=tamper, bsn=BSN, acr=SUBSTANTIEEL)
    response = digid_login(client)
    assert response.status_code == 403 and refusal_code(response) == code
    assert not Contact.objects.exclude(bsn_digest="").exists()
    assert COOKIE not in client.cookies or not client.cookies[COOKIE].value


@pytest.mark.parametrize("acr", [MIDDEN, BASIS, None])
def test_a_too_low_level_is_refused_in_plain_dutch(client, utrecht_digid, idp, acr):
    claims = {"bsn": BSN} | ({"acr": acr} if acr else {})
    idp.login("digid-1", **claims)
    response = digid_login(client)
    assert response.status_code == 403
    assert refusal_code(response) == "resident_login_acr_too_low"
    html = response.content.decode()
    assert '<html lang="nl">' in html and "te laag" in html
    assert not Contact.objects.exclude(bsn_digest="").exists()


def test_any_level_when_the_organisation_names_none(client, utrecht, utrecht_team, idp):
    configure(utrecht, idp, acr_values=[])
    idp.login("digid-1", bsn=BSN)
    assert digid_login(client).status_code == 302
    assert idp.acr_requests == [""]


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"bsn": NOT_ELEVEN}, "resident_login_bsn_elfproef"),
        ({"bsn": "12345"}, "resident_login_bsn_not_nine_digits"),
        ({}, "resident_login_no_bsn"),
        ({"bsn": ["111222333", "123456782"]}, "resident_login_no_bsn"),
    ],
)
def test_a_bsn_that_is_missing_or_wrong_is_refused(client, utrecht_digid, idp, claims, code):
    idp.login("digid-1", acr=SUBSTANTIEEL, **claims)
    response = digid_login(client)
    assert response.status_code == 403 and refusal_code(response) == code
    assert not Contact.objects.exclude(bsn_digest="").exists()


def test_a_bsn_in_sub_with_the_sector_prefix(client, utrecht, utrecht_team, idp):
    configure(utrecht, idp, bsn_claim="sub", bsn_prefix="s00000000:")
    idp.login(f"s00000000:{BSN}", acr=SUBSTANTIEEL)
    assert digid_login(client).status_code == 302
    assert Contact.objects.filter(bsn_digest=bsn_digest(utrecht.pk, BSN)).exists()
    idp.login(f"s00000001:{OTHER_BSN}", acr=SUBSTANTIEEL)  # a SoFi number, not a BSN
    assert refusal_code(digid_login(Client())) == "resident_login_no_bsn"


def test_cancelling_at_the_broker(client, utrecht_digid):
    start = client.get("/c/utrecht/login/")
    state = start["Location"].split("state=", 1)[1].split("&", 1)[0]
    response = client.get(f"/c/utrecht/login/callback/?error=access_denied&state={state}")
    assert refusal_code(response) == "resident_login_cancelled"


def test_no_login_where_the_organisation_has_none(client, utrecht, groningen):
    assert client.get("/c/utrecht/login/").status_code == 404
    assert b"/c/utrecht/login/" not in client.get("/c/utrecht/").content


# --- the session ----------------------------------------------------------------------------


def test_logout_ends_the_session(client, utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    key = client.cookies[COOKIE].value
    response = client.post("/c/utrecht/logout/", {"lang": "en"})
    assert response.status_code == 302 and response["Location"] == "/c/utrecht/?lang=en"
    assert not Session.objects.filter(session_key=key).exists()
    assert b"/c/utrecht/login/" in client.get("/c/utrecht/").content


def test_logout_needs_the_csrf_token(utrecht_digid, idp):
    client = Client(enforce_csrf_checks=True)
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    assert client.post("/c/utrecht/logout/").status_code == 403


def test_the_session_ends_after_15_minutes_without_activity(client, utrecht_digid, idp):
    assert settings.RESIDENT_SESSION_IDLE_SECONDS == 15 * 60
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    stored = Session.objects.get(session_key=client.cookies[COOKIE].value)
    left = (stored.expire_date - timezone.now()).total_seconds()
    assert 14 * 60 < left <= 15 * 60
    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now())
    assert b"/c/utrecht/login/" in client.get("/c/utrecht/").content


def test_the_resident_session_is_not_a_staff_session(client, agent_anna, utrecht_digid, idp):
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    staff = Client()
    staff.cookies["sessionid"] = client.cookies[COOKIE].value
    assert staff.get("/console/")["Location"].startswith("/console/login/")
    # and a staff login is no resident's
    agent = Client()
    agent.force_login(agent_anna)
    agent.cookies[COOKIE] = agent.cookies["sessionid"].value
    assert b"/c/utrecht/login/" in agent.get("/c/utrecht/").content


# --- history on any device -------------------------------------------------------------------


def test_same_bsn_on_two_devices_sees_the_same_history(utrecht, utrecht_digid, idp):
    phone, laptop = Client(), Client()
    conversation, token = actions.do_start_webchat(utrecht)
    send(conversation, "Mijn container is niet geleegd")
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(phone)
    assert link(phone, token).json() == {"conversation": conversation.pk, "linked": True}
    contact = Contact.objects.get(bsn_digest=bsn_digest(utrecht.pk, BSN))
    assert Conversation.objects.get(pk=conversation.pk).contact == contact
    linked = ArchiveEvent.objects.get(event_type="conversation.identified")
    assert linked.conversation_id == conversation.pk and linked.payload["contact"] == contact.pk

    idp.login("digid-1", bsn=BSN, acr=HOOG)
    digid_login(laptop)
    page = laptop.get("/c/utrecht/").content.decode()
    assert f"/c/utrecht/history/{conversation.pk}/" in page
    history = laptop.get(f"/c/utrecht/history/{conversation.pk}/")
    assert history.status_code == 200
    assert "Mijn container is niet geleegd" in history.content.decode()
    second, second_token = actions.do_start_webchat(utrecht)
    assert link(laptop, second_token).status_code == 200
    assert set(contact.conversations.values_list("pk", flat=True)) == {conversation.pk, second.pk}


def test_the_history_is_read_only_and_shows_no_notes(utrecht, utrecht_digid, idp, agent_anna):
    conversation, token = actions.do_start_webchat(utrecht)
    send(conversation, "Intern: check BRP", direction="note", author=agent_anna)
    send(conversation, "Dank voor uw vraag", direction="outbound", author=agent_anna)
    actions.do_change_status(conversation, actor=agent_anna, status="closed")
    client = Client()
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    link(client, token)
    html = client.get(f"/c/utrecht/history/{conversation.pk}/").content.decode()
    assert "Dank voor uw vraag" in html and "Intern" not in html
    assert "<form" not in html and "<textarea" not in html


def test_a_device_cannot_take_over_someone_elses_linked_chat(utrecht, utrecht_digid, idp):
    conversation, token = actions.do_start_webchat(utrecht)
    first, second = Client(), Client()
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(first)
    link(first, token)
    idp.login("digid-2", bsn=OTHER_BSN, acr=SUBSTANTIEEL)
    digid_login(second)
    refused = link(second, token)
    assert refused.status_code == 409 and refused.json()["code"] == "linked_to_someone_else"
    assert second.get(f"/c/utrecht/history/{conversation.pk}/").status_code == 404


def test_linking_needs_a_login_a_token_and_the_csrf_token(utrecht, utrecht_digid, idp):
    conversation, token = actions.do_start_webchat(utrecht)
    anonymous = Client()
    assert link(anonymous, token).status_code == 403
    client = Client(enforce_csrf_checks=True)
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    assert link(client, token).status_code == 403  # no CSRF token
    relaxed = Client()
    relaxed.cookies[COOKIE] = client.cookies[COOKIE].value
    assert link(relaxed, "x" * 40).status_code == 404


def test_history_without_a_login_goes_back_to_the_chat(client, utrecht, utrecht_digid):
    conversation, _token = actions.do_start_webchat(utrecht)
    response = client.get(f"/c/utrecht/history/{conversation.pk}/")
    assert response.status_code == 302 and response["Location"] == "/c/utrecht/?lang=nl"


# --- across organisations -------------------------------------------------------------------


def test_organisations_never_see_each_others_residents(utrecht, groningen, groningen_team, idp):
    configure(utrecht, idp)
    configure(groningen, idp)
    conversation, token = actions.do_start_webchat(utrecht)
    client = Client()
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client, "utrecht")
    link(client, token)
    # the Utrecht session means nothing in Groningen
    groningen_cookie = Client()
    groningen_cookie.cookies[COOKIE] = client.cookies[COOKIE].value
    assert b"/c/groningen/login/" in groningen_cookie.get("/c/groningen/").content
    assert groningen_cookie.get(f"/c/groningen/history/{conversation.pk}/").status_code == 302
    assert link(groningen_cookie, token, "groningen").status_code == 403
    # the same person in Groningen: another contact, another digest, no Utrecht history
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client, "groningen")
    in_utrecht = Contact.objects.get(organisation=utrecht, bsn_digest__gt="")
    in_groningen = Contact.objects.get(organisation=groningen, bsn_digest__gt="")
    assert in_utrecht.bsn_digest != in_groningen.bsn_digest
    page = client.get("/c/groningen/").content.decode()
    assert f"/history/{conversation.pk}/" not in page
    assert client.get(f"/c/groningen/history/{conversation.pk}/").status_code == 404
    assert link(client, token, "groningen").status_code == 404


# --- what agents see ------------------------------------------------------------------------


@pytest.fixture
def identified_chat(utrecht, utrecht_digid, idp):
    conversation, token = actions.do_start_webchat(utrecht)
    send(conversation, "Vraag over mijn aanslag")
    client = Client()
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    link(client, token)
    return Conversation.objects.select_related("contact").get(pk=conversation.pk)


def _never_the_bsn(content: bytes | str, utrecht) -> None:
    text = content if isinstance(content, str) else content.decode()
    assert BSN not in text
    assert bsn_digest(utrecht.pk, BSN) not in text


def test_no_bsn_in_api_console_or_archive(utrecht, identified_chat, utrecht_api_key, agent_anna):
    _key, secret = utrecht_api_key
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    contact = identified_chat.contact
    for path in (
        "/api/v1/contacts/",
        f"/api/v1/contacts/{contact.pk}/",
        "/api/v1/conversations/",
        f"/api/v1/conversations/{identified_chat.pk}/",
        f"/api/v1/conversations/{identified_chat.pk}/messages/",
    ):
        answer = api.get(path)
        assert answer.status_code == 200, (path, answer.content)
        _never_the_bsn(answer.content, utrecht)
    console = Client()
    console.force_login(agent_anna)
    _never_the_bsn(console.get("/console/utrecht/").content, utrecht)
    details = console.post(
        f"/console/conversations/{identified_chat.pk}/details/",
        {"subject": "Aanslag"},
        content_type="application/json",
    )
    assert details.status_code == 200
    _never_the_bsn(details.content, utrecht)
    identity = details.json()["conversation"]["contact_identity"]
    assert identity["method"] == "digid" and identity["bsn_shown_on_request"] is False
    payload = events.conversation_payload(identified_chat, with_labels=True)
    _never_the_bsn(str(payload), utrecht)
    for event in ArchiveEvent.objects.filter(organisation=utrecht):
        _never_the_bsn(str(event.payload), utrecht)


def test_the_pane_says_identified_with_digid(utrecht, identified_chat):
    translation.activate("nl")
    payload = events.conversation_payload(identified_chat, with_labels=True)
    assert payload["contact_identity"]["label"] == "Geïdentificeerd met DigiD"


def test_the_bsn_is_not_shown_unless_the_organisation_allows(identified_chat, agent_anna):
    console = Client()
    console.force_login(agent_anna)
    answer = console.post(f"/console/conversations/{identified_chat.pk}/bsn/")
    assert answer.status_code == 404
    assert not AuditEntry.objects.filter(action="contact.bsn_read").exists()


def test_each_showing_of_the_bsn_is_audited(utrecht, identified_chat, agent_anna):
    ResidentSignOn.objects.filter(organisation=utrecht).update(show_bsn_to_agents=True)
    console = Client()
    console.force_login(agent_anna)
    for expected in (1, 2):
        answer = console.post(f"/console/conversations/{identified_chat.pk}/bsn/")
        assert answer.status_code == 200
        assert answer.json() == {"bsn": BSN, "label": "BSN (DigiD)"}
        assert answer["Cache-Control"] == "no-store"
        entries = AuditEntry.objects.filter(action="contact.bsn_read", actor=agent_anna)
        assert entries.count() == expected
    entry = entries.last()
    assert entry.object_id == identified_chat.contact_id
    assert entry.detail == {"conversation": identified_chat.pk}
    payload = events.conversation_payload(identified_chat, with_labels=True)
    assert payload["contact_identity"]["bsn_shown_on_request"] is True


def test_who_may_not_see_the_bsn(utrecht, identified_chat, auditor_aziz, agent_gerrit):
    ResidentSignOn.objects.filter(organisation=utrecht).update(show_bsn_to_agents=True)
    auditor = Client()
    auditor.force_login(auditor_aziz)
    assert auditor.post(f"/console/conversations/{identified_chat.pk}/bsn/").status_code == 403
    other = Client()
    other.force_login(agent_gerrit)
    assert other.post(f"/console/conversations/{identified_chat.pk}/bsn/").status_code == 404
    assert not AuditEntry.objects.filter(action="contact.bsn_read").exists()


def fresh_bsn() -> str:
    """A valid BSN that no other test (nor leftovers in the test database file) holds."""
    while True:
        candidate = f"{secrets.randbelow(10**9):09d}"
        if bsn_problem(candidate) is None:
            return candidate


@pytest.mark.django_db(transaction=True)
def test_the_bsn_is_sealed_at_rest(utrecht, utrecht_team, idp):
    configure(utrecht, idp)
    conversation, token = actions.do_start_webchat(utrecht)
    client = Client()
    bsn = fresh_bsn()
    idp.login("digid-1", bsn=bsn, acr=SUBSTANTIEEL)
    digid_login(client)
    link(client, token)
    client.get("/c/utrecht/")
    contact = Contact.objects.get(organisation=utrecht, bsn_digest__gt="")
    assert unseal(contact.bsn_sealed) == bsn
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            for table in ("conversations_contact", "django_session", "archive_archiveevent"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
                assert bsn not in str(cursor.fetchall())
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
    path = Path(connection.settings_dict["NAME"])
    stored = b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )
    assert contact.bsn_digest.encode() in stored  # the file is the one written to
    assert contact.bsn_sealed.encode() in stored
    assert bsn.encode() not in stored


# --- configuring ----------------------------------------------------------------------------


def test_the_command_sets_shows_and_disables(utrecht, idp, tmp_path):
    idp.add_client("cli-client", "cli-secret", callback_uri("utrecht"))
    secret_file = tmp_path / "secret"
    secret_file.write_text("cli-secret\n")
    out = StringIO()
    call_command(
        "resident_login", "set", "utrecht", "--issuer", idp.issuer, "--client-id", "cli-client",
        "--client-secret-file", str(secret_file), "--acr", SUBSTANTIEEL, "--acr", HOOG,
        "--bsn-claim", "sub", "--bsn-prefix", "s00000000:", stdout=out,
    )  # fmt: skip
    assert "/c/utrecht/login/callback/" in out.getvalue()
    sign_on = ResidentSignOn.objects.get(organisation=utrecht)
    assert sign_on.acr_values == [SUBSTANTIEEL, HOOG] and sign_on.bsn_claim == "sub"
    assert not sign_on.show_bsn_to_agents and "cli-secret" not in sign_on.client_secret
    shown = StringIO()
    call_command("resident_login", "show", "utrecht", stdout=shown)
    assert "set (sealed)" in shown.getvalue() and "cli-secret" not in shown.getvalue()
    assert sign_on.client_secret not in shown.getvalue()
    call_command("resident_login", "disable", "utrecht", stdout=StringIO())
    assert not ResidentSignOn.objects.get(organisation=utrecht).enabled
    assert Client().get("/c/utrecht/login/").status_code == 404


def test_a_page_with_a_residents_history_is_never_cached(client, utrecht_digid, idp):
    assert "no-store" not in client.get("/c/utrecht/").get("Cache-Control", "")
    idp.login("digid-1", bsn=BSN, acr=SUBSTANTIEEL)
    digid_login(client)
    assert client.get("/c/utrecht/")["Cache-Control"] == "no-store, private"
    sw = client.get("/c/utrecht/sw.js").content.decode()
    assert "no-store" in sw and "cache.delete(key)" in sw  # the worker drops its copy too
