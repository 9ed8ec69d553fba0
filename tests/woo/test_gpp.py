"""Publishing a decided Woo request to the organisation's GPP-Woo publicatiebank, against a
local fake that checks every call against the publicatiebank's published contract."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.archive.models import ArchiveEvent
from balie.conversations import actions
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import Direction
from balie.records.permissions import RecordsNotAllowed
from balie.tenants.secrets import SecretUnreadable, seal, unseal
from balie.woo import gpp, tasks
from balie.woo.actions import do_register_request, do_set_status
from balie.woo.models import (
    Decision,
    Publication,
    PublicationState,
    PublicationTarget,
    PublishedDocument,
    Status,
)
from balie.woo.outcomes import PublicationRefused
from balie.woo.package import build_package
from balie.woo.publication import STALE_AFTER, do_configure_publisher, do_publish
from balie.woo.publishing import publication_status, publisher_settings
from balie.woo.review import do_add_redaction, do_collect, do_decide_document, messages_of
from balie.woo.sending import fingerprint
from tests.api.openapi import assert_matches_contract
from tests.conftest import PASSWORD
from tests.factories import send
from tests.woo.fake_gpp import FakePublicatiebank

pytestmark = pytest.mark.django_db

TOKEN = "gpp-token-7Qx2-never-shown"
PUBLISHER = "5d2a7f2e-4b8c-4f61-9a3e-2c1b0d9e8f71"
CATEGORY = "88fb1c5e-e899-456d-b077-6101a9829c11"  # Woo-verzoeken en -besluiten
TASK = "balie.woo.tasks.publish_request"
PUBLISHED_FILES = {"WOO-2026-014-001.pdf", "WOO-2026-014-002.pdf"}


@pytest.fixture
def bank(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(gpp, "TIMEOUT", (2.0, 2.0))
    with FakePublicatiebank(TOKEN) as fake:
        yield fake
    assert fake.violations == [], "\n".join(fake.violations)


@pytest.fixture
def decided(utrecht, woo_wim, agent_anna, utrecht_team):
    """WOO-2026-014, decided: document 1 public, 2 partly public, 3 not public."""
    conversations = []
    for text in (
        "Wanneer komt de kermis op het Vredenburgplein?",
        "Mijn BSN is 111222333, de kermis maakt te veel lawaai.",
        "Een klacht over de buren, niet over de kermis.",
    ):
        conversation, _token = actions.do_start_webchat(utrecht)
        send(conversation, text)
        actions.do_send_message(
            conversation, direction=Direction.OUTBOUND, body="Dank u, we kijken ernaar.",
            client_id=uuid.uuid4().hex, author=agent_anna,
        )  # fmt: skip
        conversations.append(conversation)
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-014", received_on="2026-11-03",
        subject="Berichten over de kermis",
    )  # fmt: skip
    do_set_status(request, actor=woo_wim, status=Status.COLLECTING)
    do_collect(request, actor=woo_wim, conversation_ids=[c.pk for c in conversations],
               found_by="kermis")  # fmt: skip
    do_set_status(request, actor=woo_wim, status=Status.ASSESSING)
    first, second, third = request.documents.order_by("number")
    do_decide_document(first, actor=woo_wim, decision=Decision.PUBLIC)
    do_decide_document(second, actor=woo_wim, decision=Decision.PARTLY_PUBLIC,
                       grounds=["5.1.2e"])  # fmt: skip
    do_decide_document(third, actor=woo_wim, decision=Decision.NOT_PUBLIC, grounds=["5.1.2e"])
    do_set_status(request, actor=woo_wim, status=Status.DECIDED)
    request.refresh_from_db()
    return request


@pytest.fixture
def connected(utrecht, woo_wim, bank):
    return do_configure_publisher(
        utrecht.pk, actor=woo_wim, url=bank.url + "/", token=TOKEN, publisher=PUBLISHER,
        category=CATEGORY,
    )  # fmt: skip


def _person(username, organisation, role, first_name):
    person = do_create_staff_user(username=username, password=PASSWORD, first_name=first_name)
    do_set_membership(person, organisation, role)
    return person


@pytest.fixture
def woo_gijs(groningen):
    """Groningen's Woo coordinator."""
    return _person("woo_gijs", groningen, Role.WOO_OFFICER, "Gijs")


def run_queued() -> list[str]:
    """What a worker does, without waiting for a retry's run_after: run every publishing
    task that is ready, oldest first, until none is left."""
    states = []
    for _round in range(20):
        row = (
            DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY)
            .order_by("enqueued_at")
            .first()
        )
        if row is None:
            return states
        row.claim("test")
        result = tasks.publish_request.call(*row.args_kwargs["args"])
        row.set_successful(result)
        states.append(result)
    raise AssertionError("the publishing tasks did not come to an end")


def _sent_files(bank: FakePublicatiebank) -> dict[str, bytes]:
    return {d["bestandsnaam"]: bank.file_of(key) for key, d in bank.documents.items()}


def _digests(request) -> dict[str, str]:
    return dict(
        PublishedDocument.objects.filter(publication__request=request).values_list(
            "file_name", "digest"
        )
    )


def test_a_decided_request_is_published_with_its_documents(decided, woo_wim, connected, bank):
    publication = do_publish(decided, actor=woo_wim)
    assert publication.state == PublicationState.QUEUED
    assert publication_status(woo_wim, decided)["state"] == "queued"

    assert run_queued() == ["published"]

    (remote,) = bank.publications.values()
    assert remote["publicatiestatus"] == "gepubliceerd"
    assert remote["publisher"] == PUBLISHER and remote["informatieCategorieen"] == [CATEGORY]
    assert remote["officieleTitel"] == "Woo-verzoek WOO-2026-014: Berichten over de kermis"
    assert remote["kenmerken"] == [{"kenmerk": str(publication.key), "bron": "balie"}]
    # Only the documents with a published decision; not the inventarislijst, not the letter.
    sent = _sent_files(bank)
    assert set(sent) == PUBLISHED_FILES
    assert all(d["publicatiestatus"] == "gepubliceerd" for d in bank.documents.values())
    assert all(d["uploadVoltooid"] for d in bank.documents.values())
    assert any(sum(p["document"] == k for p in bank.parts.values()) > 1 for k in bank.documents)
    # The bytes that arrived are the package's PDFs, part by part.
    assert {name: hashlib.sha256(data).hexdigest() for name, data in sent.items()} == _digests(
        decided
    )
    assert all(data.startswith(b"%PDF") for data in sent.values())
    # The package's PDFs (rendered again they differ in their dates only).
    package = build_package(decided)
    assert {name: fingerprint(sent[name]) for name in PUBLISHED_FILES} == {
        name: fingerprint(package.files[name]) for name in PUBLISHED_FILES
    }
    assert bank.audit == {
        ("balie:woo_wim", "Wim", "Woo-verzoek WOO-2026-014: publicatie vanuit Balie")
    }

    decided.refresh_from_db()
    assert decided.status == Status.PUBLISHED and decided.closed_at is not None
    shown = publication_status(woo_wim, decided)
    assert shown["state"] == "published" and shown["attempts"] == 1 and shown["error"] == ""
    assert (shown["documents"], shown["documents_sent"]) == (2, 2)
    assert shown["remote_url"] == remote["urlPublicatieExtern"]
    events = list(
        ArchiveEvent.objects.filter(event_type__startswith="woo.")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert events[-3:] == ["woo.publication.queued", "woo.publication.published", "woo.status"]
    with pytest.raises(PublicationRefused) as refused:
        do_publish(decided, actor=woo_wim)
    assert refused.value.code == "not_decided"  # published requests are closed


@pytest.mark.parametrize(
    ("operation", "occurrence", "mode"),
    [
        ("publicatiesCreate", 1, "lost"),  # created, but the answer never came back
        ("documentenCreate", 2, "lost"),
        ("documentenBestandsdelenUpdate", 3, "drop"),
        ("documentenBestandsdelenUpdate", 2, "lost"),
        ("documentenCreate", 1, "500"),
        ("publicatiesUpdate", 1, "slow"),  # made public, but too late for the client
    ],
)
def test_an_interrupted_attempt_continues_without_duplicates(
    decided, woo_wim, connected, bank, operation, occurrence, mode
):
    bank.fail_operation(operation, mode, occurrence=occurrence, delay=3.0)
    do_publish(decided, actor=woo_wim)
    first = DBTaskResult.objects.get(task_path=TASK)
    first.claim("test")
    assert tasks.publish_request.call(*first.args_kwargs["args"]) == "queued"
    first.set_successful("queued")

    shown = publication_status(woo_wim, decided)
    assert shown["state"] == "queued" and shown["attempts"] == 1
    assert shown["error_code"] in ("publicatiebank_unreachable", "publicatiebank_refused")
    assert shown["error"] and shown["next_attempt_at"] is not None
    retry = DBTaskResult.objects.get(task_path=TASK, status=TaskResultStatus.READY)
    assert retry.run_after == shown["next_attempt_at"] > first.enqueued_at
    assert ArchiveEvent.objects.filter(event_type="woo.publication.retrying").count() == 1

    assert run_queued() == ["published"]
    assert len(bank.publications) == 1
    assert len(bank.documents) == 2 and set(_sent_files(bank)) == PUBLISHED_FILES
    assert {
        name: hashlib.sha256(data).hexdigest() for name, data in _sent_files(bank).items()
    } == _digests(decided)
    shown = publication_status(woo_wim, decided)
    assert shown["state"] == "published" and shown["attempts"] == 2 and shown["error"] == ""


def test_an_unreachable_publicatiebank_is_tried_again_later(decided, woo_wim, connected, bank):
    bank.fail_call(1, "drop")  # the very first call: the connection closes unanswered
    do_publish(decided, actor=woo_wim)

    assert run_queued() == ["queued", "published"]

    assert len(bank.publications) == 1 and len(bank.documents) == 2
    retried = ArchiveEvent.objects.get(event_type="woo.publication.retrying")
    assert retried.payload["error"] == "publicatiebank_unreachable"


def test_a_publication_left_behind_by_a_stopped_worker_is_taken_up_again(
    decided, woo_wim, connected, bank
):
    do_publish(decided, actor=woo_wim)
    DBTaskResult.objects.filter(task_path=TASK).delete()  # the worker died with the task
    # As an insider: the attempt had claimed it, then the process stopped.
    Publication.objects.update(state=PublicationState.SENDING, attempts=1)
    with pytest.raises(PublicationRefused) as refused:
        do_publish(decided, actor=woo_wim)
    assert refused.value.code == "publication_in_progress"
    Publication.objects.update(updated_at=timezone.now() - STALE_AFTER)

    do_publish(decided, actor=woo_wim)
    assert run_queued() == ["published"]
    assert len(bank.publications) == 1 and len(bank.documents) == 2


def test_a_publicatiebank_that_keeps_failing_leaves_a_visible_failure(
    decided, woo_wim, connected, bank, monkeypatch
):
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    bank.fail_always("documentenCreate", "500")
    do_publish(decided, actor=woo_wim)

    assert run_queued() == ["queued", "queued", "failed"]

    shown = publication_status(woo_wim, decided)
    assert shown["state"] == "failed" and shown["attempts"] == 3
    assert shown["error_status"] == 500 and shown["next_attempt_at"] is None
    assert "500" in shown["error"] and "Er is een interne fout opgetreden." in shown["error"]
    decided.refresh_from_db()
    assert decided.status == Status.DECIDED
    assert ArchiveEvent.objects.filter(event_type="woo.publication.failed").count() == 1
    assert len(bank.publications) == 1  # the concept stays the one publication

    # Fixed at the other end: asking again continues the same publication.
    bank.heal()
    do_publish(decided, actor=woo_wim)
    assert run_queued() == ["published"]
    assert len(bank.publications) == 1 and len(bank.documents) == 2


def test_a_refusal_is_not_tried_again(decided, woo_wim, utrecht, bank):
    do_configure_publisher(
        utrecht.pk, actor=woo_wim, url=bank.url, token="another-token", publisher=PUBLISHER,
        category=CATEGORY,
    )  # fmt: skip
    do_publish(decided, actor=woo_wim)

    assert run_queued() == ["failed"]

    shown = publication_status(woo_wim, decided)
    assert shown["attempts"] == 1 and shown["error_status"] == 401
    assert "Ongeldige token." in shown["error"]
    assert bank.publications == {}


def _first_attempt_stops_before_publishing(bank):
    bank.fail_operation("publicatiesUpdate", "500")
    first = DBTaskResult.objects.get(task_path=TASK)
    first.claim("test")
    assert tasks.publish_request.call(*first.args_kwargs["args"]) == "queued"
    first.set_successful("queued")
    assert len(bank.documents) == 2 and all(d["uploadVoltooid"] for d in bank.documents.values())


def test_a_document_no_longer_public_is_taken_out_before_publishing(
    decided, woo_wim, connected, bank
):
    do_publish(decided, actor=woo_wim)
    _first_attempt_stops_before_publishing(bank)
    second = decided.documents.get(number=2)
    do_decide_document(second, actor=woo_wim, decision=Decision.NOT_PUBLIC, grounds=["5.1.2e"])

    assert run_queued() == ["published"]
    assert set(_sent_files(bank)) == {"WOO-2026-014-001.pdf"}
    assert publication_status(woo_wim, decided)["documents"] == 1


def test_a_retry_sends_only_what_changed(decided, woo_wim, connected, bank):
    do_publish(decided, actor=woo_wim)
    _first_attempt_stops_before_publishing(bank)
    before = {d["bestandsnaam"]: key for key, d in bank.documents.items()}
    first = decided.documents.get(number=1)
    message = messages_of(first)[0]
    do_add_redaction(first, actor=woo_wim, message_id=message.pk, start=0, end=8,
                     ground="5.1.2e")  # fmt: skip
    calls = len(bank.calls)

    assert run_queued() == ["published"]
    after = {d["bestandsnaam"]: key for key, d in bank.documents.items()}
    assert after["WOO-2026-014-002.pdf"] == before["WOO-2026-014-002.pdf"]  # not sent again
    assert after["WOO-2026-014-001.pdf"] != before["WOO-2026-014-001.pdf"]  # the new redaction
    assert bank.calls[calls:].count("documentenCreate") == 1
    assert bank.calls[calls:].count("documentenDestroy") == 1
    assert fingerprint(_sent_files(bank)["WOO-2026-014-001.pdf"]) == fingerprint(
        build_package(decided).files["WOO-2026-014-001.pdf"]
    )


def test_only_a_decided_request_is_published(utrecht, woo_wim, connected, bank):
    request = do_register_request(
        utrecht.pk, actor=woo_wim, reference="WOO-2026-015", received_on="2026-11-04",
        subject="Iets anders",
    )  # fmt: skip
    with pytest.raises(PublicationRefused) as refused:
        do_publish(request, actor=woo_wim)
    assert (refused.value.code, refused.value.status) == ("not_decided", 409)
    assert refused.value.message
    assert not Publication.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_publishing_needs_a_publicatiebank(decided, woo_wim):
    with pytest.raises(PublicationRefused) as refused:
        do_publish(decided, actor=woo_wim)
    assert refused.value.code == "no_publicatiebank"


def test_a_publication_in_progress_is_not_queued_twice(decided, woo_wim, connected):
    do_publish(decided, actor=woo_wim)
    with pytest.raises(PublicationRefused) as refused:
        do_publish(decided, actor=woo_wim)
    assert refused.value.code == "publication_in_progress"
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_the_token_is_sealed_and_never_shown(decided, utrecht, woo_wim, connected, bank, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM woo_publicationtarget")
        row = cursor.fetchone()
    assert TOKEN not in repr(row)
    target = PublicationTarget.objects.get(organisation=utrecht)
    assert unseal(target.token) == TOKEN and seal(TOKEN) != seal(TOKEN)

    do_publish(decided, actor=woo_wim)
    run_queued()
    assert bank.authorizations == {f"Token {TOKEN}"}  # it reached the publicatiebank only

    out = io.StringIO()
    with translation.override("en"):
        call_command("woo", "publisher", "--organisation", "utrecht", stdout=out)
        call_command("woo", "publish", "WOO-2026-014", "--organisation", "utrecht", "--status",
                     stdout=out)  # fmt: skip
    shown = out.getvalue()
    assert "token: set" in shown and bank.url in shown and PUBLISHER in shown
    everything = " ".join(
        [
            shown,
            repr(publisher_settings(woo_wim, utrecht.pk)),
            repr(publication_status(woo_wim, decided)),
            repr(list(ArchiveEvent.objects.values_list("payload", flat=True))),
            repr(list(DBTaskResult.objects.values_list("args_kwargs", "return_value"))),
        ]
    )
    assert TOKEN not in everything


def test_a_token_under_another_secret_key_is_unreadable(settings):
    token = seal("abc")
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    with pytest.raises(SecretUnreadable):
        unseal(token)
    settings.SECRET_KEY_FALLBACKS = ["balie-demo-only-not-secret"]
    assert unseal(token) == "abc"


def test_another_municipality_neither_publishes_nor_sees(
    decided, utrecht, groningen, woo_wim, woo_gijs, connected
):
    with pytest.raises(RecordsNotAllowed):
        do_publish(decided, actor=woo_gijs)
    with pytest.raises(RecordsNotAllowed):
        publication_status(woo_gijs, decided)
    with pytest.raises(RecordsNotAllowed):
        publisher_settings(woo_gijs, utrecht.pk)
    with pytest.raises(RecordsNotAllowed):
        do_configure_publisher(
            utrecht.pk, actor=woo_gijs, url="https://elders.example.nl", token="x",
            publisher=PUBLISHER, category=CATEGORY,
        )  # fmt: skip
    assert publisher_settings(woo_gijs, groningen.pk) is None
    assert PublicationTarget.objects.get(organisation=utrecht).url == connected.url
    assert not Publication.objects.exists()


def test_roles(decided, utrecht, woo_wim, agent_anna, auditor_aziz, connected):
    for person in (agent_anna, auditor_aziz):
        with pytest.raises(RecordsNotAllowed):
            do_publish(decided, actor=person)
        with pytest.raises(RecordsNotAllowed):
            do_configure_publisher(
                utrecht.pk, actor=person, url=connected.url, token="x", publisher=PUBLISHER,
                category=CATEGORY,
            )  # fmt: skip
    with pytest.raises(RecordsNotAllowed):
        publication_status(agent_anna, decided)
    assert publication_status(auditor_aziz, decided) is None
    do_publish(decided, actor=woo_wim)
    assert publication_status(auditor_aziz, decided)["state"] == "queued"
    assert publisher_settings(auditor_aziz, utrecht.pk)["token_set"] is True
    admin = _person("admin_ada", utrecht, Role.ADMIN, "Ada")
    do_configure_publisher(
        utrecht.pk, actor=admin, url=connected.url, publisher=PUBLISHER, category=CATEGORY,
        enabled=False,
    )  # fmt: skip
    target = PublicationTarget.objects.get(organisation=utrecht)
    assert not target.enabled and unseal(target.token) == TOKEN  # the token was kept
    assert ArchiveEvent.objects.filter(event_type="woo.publicatiebank.configured").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "http://publicaties.example.nl"),  # https, except on this machine
        ("url", "https://user:pw@publicaties.example.nl"),
        ("url", "ftp://publicaties.example.nl"),
        ("token", "two words"),
        ("token", ""),
        ("publisher", "not-a-uuid"),
    ],
)
def test_the_connection_is_checked(utrecht, woo_wim, field, value):
    given = {"url": "https://publicaties.example.nl", "token": TOKEN, "publisher": PUBLISHER,
             "category": CATEGORY, field: value}  # fmt: skip
    with pytest.raises(ActionError):
        do_configure_publisher(utrecht.pk, actor=woo_wim, **given)
    assert not PublicationTarget.objects.exists()


def test_a_file_part_elsewhere_gets_no_token(decided, woo_wim, connected, bank):
    bank.part_host = bank.url.replace("127.0.0.1", "localhost")
    do_publish(decided, actor=woo_wim)
    assert run_queued() == ["failed"]
    shown = publication_status(woo_wim, decided)
    assert shown["error_code"] == "publicatiebank_address"
    assert not any(p["data"] for p in bank.parts.values())


def test_the_command_line_sets_up_and_publishes(decided, utrecht, woo_wim, bank, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    out = io.StringIO()
    call_command(
        "woo", "publisher", "--organisation", "utrecht", "--url", bank.url, "--token-file",
        str(token_file), "--publisher", PUBLISHER, "--category", CATEGORY, stdout=out,
    )  # fmt: skip
    assert unseal(PublicationTarget.objects.get(organisation=utrecht).token) == TOKEN
    with pytest.raises(CommandError):
        call_command("woo", "publish", "WOO-2026-014", "--organisation", "utrecht")
    with pytest.raises(CommandError):
        call_command("woo", "publish", "WOO-2026-014", "--organisation", "utrecht",
                     "--by", "agent_nobody")  # fmt: skip
    call_command("woo", "publish", "WOO-2026-014", "--organisation", "utrecht",
                 "--by", "woo_wim", stdout=out)  # fmt: skip
    assert run_queued() == ["published"]
    call_command("woo", "publish", "WOO-2026-014", "--organisation", "utrecht", "--status",
                 stdout=out)  # fmt: skip
    assert TOKEN not in out.getvalue()
    assert bank.publications


def test_the_fake_refuses_what_the_contract_refuses(bank):
    """The fake is only worth its checks: a call without the audit headers, and a document
    without its required fields, are violations."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Token {TOKEN}"
        bare = session.post(f"{bank.url}/api/v2/publicaties", json={"officieleTitel": "x"},
                            timeout=5)  # fmt: skip
        session.headers.update(gpp.Audit("balie:test", "Test", "test").headers())
        incomplete = session.post(f"{bank.url}/api/v2/documenten", json={"officieleTitel": "x"},
                                  timeout=5)  # fmt: skip
    assert (bare.status_code, incomplete.status_code) == (400, 400)
    assert len(bank.violations) == 2 and "Audit-Remarks" in bank.violations[0]
    assert bank.publications == {} and bank.documents == {}
    bank.violations.clear()


# --- in the console ------------------------------------------------------------------------


def test_setting_up_and_publishing_from_the_console(client, decided, woo_wim, bank, auditor_aziz):
    woo = "/console/utrecht/woo/"
    client.force_login(woo_wim)
    assert "Publicatiebank (GPP-Woo)" in client.get(woo).text
    wrong = {"url": "ftp://x", "publisher": PUBLISHER, "category": CATEGORY, "token": TOKEN}
    refused = client.post(woo + "publicatiebank/", wrong)
    assert refused.status_code == 400 and PublicationTarget.objects.count() == 0
    saved = client.post(woo + "publicatiebank/", {"url": bank.url + "/", "publisher": PUBLISHER,
                        "category": CATEGORY, "token": TOKEN, "enabled": "on"})  # fmt: skip
    assert saved.status_code == 302
    page = client.get(woo).text
    assert bank.url in page and TOKEN not in page
    # The token left empty keeps the one that is set.
    client.post(woo + "publicatiebank/", {"url": bank.url + "/", "publisher": PUBLISHER,
                "category": CATEGORY, "token": "", "enabled": "on"})  # fmt: skip
    assert unseal(PublicationTarget.objects.get().token) == TOKEN

    detail = client.get(woo + "WOO-2026-014/").text
    assert "Publiceren in de publicatiebank" in detail
    assert client.post(woo + "WOO-2026-014/act/", {"action": "publish"}).status_code == 302
    assert run_queued() == ["published"]
    detail = client.get(woo + "WOO-2026-014/").text
    assert "Gepubliceerd" in detail and "2 / 2" in detail
    client.force_login(auditor_aziz)
    read = client.get(woo + "WOO-2026-014/").text
    assert "2 / 2" in read and "Publiceren in de publicatiebank" not in read
    assert client.post(woo + "publicatiebank/", {"url": bank.url}).status_code == 403


# --- over the API --------------------------------------------------------------------------


def test_setting_up_and_publishing_over_the_api(decided, woo_wim, bank, woo_gijs, auditor_aziz):
    api = APIClient()
    api.force_login(woo_wim)
    assert api.get("/api/v1/woo/publicatiebank/").status_code == 404
    body = {"url": bank.url + "/", "publisher": PUBLISHER, "category": CATEGORY, "token": TOKEN}
    saved = api.put("/api/v1/woo/publicatiebank/", body, format="json")
    assert_matches_contract(saved, "/api/v1/woo/publicatiebank/", "put")
    assert saved.json()["token_set"] is True and TOKEN not in saved.content.decode()
    wrong = api.put("/api/v1/woo/publicatiebank/", {**body, "url": "gopher://x"}, format="json")
    assert wrong.status_code == 400

    url = f"/api/v1/woo/requests/{decided.pk}/"
    queued = api.post(url + "publication/")
    assert_matches_contract(queued, "/api/v1/woo/requests/{request_id}/publication/", "post")
    assert queued.status_code == 202 and queued.json()["publication"]["state"] == "queued"
    assert run_queued() == ["published"]
    done = api.get(url)
    assert_matches_contract(done, "/api/v1/woo/requests/{request_id}/")
    assert done.json()["status"] == "published"
    assert done.json()["publication"]["documents_sent"] == 2
    again = api.post(url + "publication/")
    assert again.status_code == 409

    auditor = APIClient()
    auditor.force_login(auditor_aziz)
    assert auditor.get("/api/v1/woo/publicatiebank/").json()["token_set"] is True
    assert auditor.put("/api/v1/woo/publicatiebank/", body, format="json").status_code == 403
    other = APIClient()
    other.force_login(woo_gijs)
    assert other.post(url + "publication/").status_code == 404
    assert other.get("/api/v1/woo/publicatiebank/").status_code == 404
