import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from balie.ops.schedule import do_enqueue_due_jobs, do_enqueue_frequent_jobs

SCHEDULE_EVERY_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Run a background task worker; it also enqueues the daily jobs when they are due and "
        "the frequent ones (polling mailboxes) every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args, interval, **options):
        stop = threading.Event()
        threading.Thread(target=_schedule, args=(stop,), name="schedule", daemon=True).start()
        try:
            call_command("db_worker", interval=interval, verbosity=options["verbosity"])
        finally:
            stop.set()


def _schedule(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            do_enqueue_due_jobs()
            do_enqueue_frequent_jobs()
        finally:
            close_old_connections()
        stop.wait(SCHEDULE_EVERY_SECONDS)
