"""The daily integrity check: scheduled once a day, its result kept and shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.archive.models import ArchiveEvent, VerificationRun
from balie.archive.tasks import verify_archives
from balie.ops.schedule import do_enqueue_due_jobs
from tests.archive.test_chain import _forged
from tests.conftest import PASSWORD
from tests.factories import send

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_daily_check_records_a_result_per_organisation(webchat, groningen_webchat):
    send(webchat[0], "Hallo")
    assert verify_archives.call() == {"groningen": True, "utrecht": True}
    runs = VerificationRun.objects.order_by("organisation__slug")
    assert [(r.organisation.slug, r.ok, r.trigger) for r in runs] == [
        ("groningen", True, "daily"),
        ("utrecht", True, "daily"),
    ]

    tampered = ArchiveEvent.objects.get(organisation=webchat[0].organisation, seq=2)
    _forged("UPDATE archive_archiveevent SET payload = '{}' WHERE id = %s", [tampered.pk])
    assert verify_archives.call()["utrecht"] is False
    latest = VerificationRun.objects.filter(organisation=webchat[0].organisation).first()
    assert not latest.ok and "seq 2" in latest.problem and "payload" in latest.problem


def test_verify_record_keeps_a_manual_run(webchat):
    call_command("verify", record=True)
    assert VerificationRun.objects.get().trigger == "manual"


def test_daily_jobs_are_enqueued_once_a_day_from_the_hour(db, settings):
    settings.DAILY_JOBS_HOUR = 3
    night = datetime(2026, 11, 28, 2, 59, tzinfo=AMSTERDAM)
    assert do_enqueue_due_jobs(night) == []
    daily = [
        "verify-archives",
        "review-retention",
        "search-partitions",
        "imports-cleanup",
        "unsent-uploads",
        "channel-reports-prune",
        "webhooks-overdue",
        "webhooks-prune",
        "notificaties-resume",
        "klantinteracties-waiting",
    ]
    assert do_enqueue_due_jobs(night.replace(hour=3, minute=0)) == daily
    assert do_enqueue_due_jobs(night.replace(hour=14)) == []  # already today
    assert DBTaskResult.objects.count() == len(daily)
    next_day = datetime(2026, 11, 29, 4, 0, tzinfo=AMSTERDAM)
    assert do_enqueue_due_jobs(next_day) == daily
    assert DBTaskResult.objects.count() == 2 * len(daily)


def test_records_manager_sees_the_results_and_agents_do_not(client, webchat, agent_anna, utrecht):
    records_rik = do_create_staff_user(username="records_rik", password=PASSWORD)
    do_set_membership(records_rik, utrecht, "records_manager")
    client.force_login(records_rik)
    assert "Nog geen controle gedaan" in client.get("/console/utrecht/integrity/").text
    verify_archives.call()
    page = client.get("/console/utrecht/integrity/")
    assert "In orde" in page.text and "(daily)" in page.text
    assert "/console/utrecht/integrity/" in client.get("/console/utrecht/").text

    client.force_login(agent_anna)
    assert client.get("/console/utrecht/integrity/").status_code == 404
