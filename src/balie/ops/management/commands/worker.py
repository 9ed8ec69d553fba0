import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from balie.ops import workers
from balie.ops.schedule import do_enqueue_due_jobs, do_enqueue_frequent_jobs

logger = logging.getLogger(__name__)

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
        worker_id = workers.new_worker_id()
        workers.do_beat(worker_id)
        close_old_connections()
        threading.Thread(target=_schedule, args=(stop,), name="schedule", daemon=True).start()
        threading.Thread(target=_beat, args=(stop, worker_id), name="beat", daemon=True).start()
        try:
            call_command(
                "db_worker",
                interval=interval,
                worker_id=worker_id,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
            workers.do_stop_beating(worker_id)


def _beat(stop: threading.Event, worker_id: str) -> None:
    """This worker is alive; the tasks of workers that are not are queued again."""
    while not stop.wait(workers.BEAT_SECONDS):
        try:
            workers.do_beat(worker_id)
            workers.do_requeue_abandoned_tasks()
        except Exception:  # the database away for a moment: the next beat tries again
            logger.exception("worker heartbeat failed")
        finally:
            close_old_connections()


def _schedule(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            do_enqueue_due_jobs()
            do_enqueue_frequent_jobs()
        finally:
            close_old_connections()
        stop.wait(SCHEDULE_EVERY_SECONDS)
