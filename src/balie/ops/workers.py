"""Task workers that die: heartbeats, and queueing again what they were running.

django-tasks' database worker claims a task by marking it RUNNING; if the worker is killed
(SIGKILL, the machine gone) the task stays RUNNING for ever. Every `balie worker` therefore
writes a heartbeat (:class:`~balie.ops.models.WorkerBeat`) every :data:`BEAT_SECONDS`, and
every worker looks for running tasks whose worker's beats stopped more than
:data:`ABANDONED_AFTER_SECONDS` ago: such a task is made READY again — once, by one worker
(a conditional UPDATE) — and a task abandoned :data:`MAX_CLAIMS` times is marked FAILED
instead, so a task that kills its worker cannot take every worker down in turn.

A task that runs again must be safe to run again: the outbound delivery task notices that an
earlier run was cut off while the channel had the message and does not send it blindly a
second time (``conversations.tasks``).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.ops.models import WorkerBeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5
ABANDONED_AFTER_SECONDS = 30
MAX_CLAIMS = 3  # a task abandoned this often is failed, not queued again
FORGET_WORKERS_AFTER = timedelta(days=1)


def new_worker_id() -> str:
    """Host, process and a random part: unique, and readable in the task list (≤ 64)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def do_beat(worker_id: str, *, started_at=None) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at or now,
            beat_at=now,
        )


def do_stop_beating(worker_id: str) -> None:
    """A worker that stops cleanly says so: nothing of it is running any more."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def do_requeue_abandoned_tasks(*, now=None) -> tuple[int, int]:
    """Queue again the running tasks of workers that stopped beating; (queued, failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=ABANDONED_AFTER_SECONDS)
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    queued = failed = 0
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).only("pk", "worker_ids", "started_at", "task_path")
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        # Only if nobody else took it meanwhile (same claim): queued again by one worker.
        same_claim = Q(pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at)
        with transaction.atomic():
            if len(result.worker_ids) >= MAX_CLAIMS:
                changed = DBTaskResult.objects.filter(same_claim).update(
                    status=TaskResultStatus.FAILED, finished_at=now
                )
                failed += changed
                if changed:
                    logger.error(
                        "task abandoned too often: failed",
                        extra={"task_id": str(result.pk), "task": result.task_path},
                    )
            else:
                changed = DBTaskResult.objects.filter(same_claim).update(
                    status=TaskResultStatus.READY, started_at=None
                )
                queued += changed
                if changed:
                    logger.warning(
                        "task of a stopped worker queued again",
                        extra={"task_id": str(result.pk), "task": result.task_path},
                    )
    WorkerBeat.objects.filter(beat_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return queued, failed
