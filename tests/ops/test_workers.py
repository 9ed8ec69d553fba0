"""`balie worker` processes on one PostgreSQL database: a worker killed in the middle of a
task (SIGKILL) leaves it running in the database; another worker sees that the killed one
stopped beating and runs the task again — once. An outbound delivery cut off while the
channel had the message is not sent a second time: it is marked failed for staff to check."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from balie.ops import workers
from tests.ops.nodes import IN_THE_POSTGRESQL_PASS, Cluster, cluster_fixture, services_or_skip

services_or_skip()

pytestmark = IN_THE_POSTGRESQL_PASS

# the longest a killed worker's task waits before another worker runs it again
REQUEUE_WITHIN = workers.ABANDONED_AFTER_SECONDS + 2 * workers.BEAT_SECONDS + 15


cluster = cluster_fixture("workers")


@pytest.fixture(autouse=True)
def no_worker_left(cluster):
    """Each test starts its own workers; none is left for the next test."""
    yield
    for worker in cluster.workers:
        if worker.poll() is None:
            cluster.kill_worker(worker)
    cluster.workers.clear()


def _shell(cluster: Cluster, code: str, **env: str) -> str:
    return cluster.run("shell", "-c", code, **env).strip()


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _task_rows(cluster: Cluster, task_path: str) -> list[tuple]:
    return cluster.query(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
        task_path,
    )


def test_a_killed_workers_task_runs_again_once(cluster, tmp_path):
    log = tmp_path / "runs.log"
    first = cluster.start_worker("worker-1")
    _shell(
        cluster,
        "from tests.ops.worker_tasks import note_and_wait; "
        f"note_and_wait.enqueue({str(log)!r}, 600)",
    )
    _wait_for(lambda: log.exists() and "started" in log.read_text(), 60, "the first run")
    cluster.kill_worker(first)

    cluster.start_worker("worker-2")
    _wait_for(lambda: "finished" in log.read_text(), REQUEUE_WITHIN + 30, "the second run")
    time.sleep(2 * workers.BEAT_SECONDS)  # room for a wrong third run
    assert log.read_text().splitlines() == ["started", "started", "finished"]
    ((status, worker_ids),) = _task_rows(cluster, "tests.ops.worker_tasks.note_and_wait")
    assert status == "SUCCESSFUL"
    assert len(worker_ids) == 2 and worker_ids[0] != worker_ids[1]


class _HoldingGraph(BaseHTTPRequestHandler):
    """Meta's Graph API as far as sending goes: takes the message and never answers (the
    worker is killed while it waits); every request is noted."""

    calls: list[dict] = []
    arrived = threading.Event()

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _HoldingGraph.calls.append({"path": self.path, "body": json.loads(body or b"{}")})
        _HoldingGraph.arrived.set()
        time.sleep(600)

    def log_message(self, *args):
        pass


def test_a_delivery_cut_off_at_the_channel_is_not_sent_twice(cluster):
    graph = ThreadingHTTPServer(("127.0.0.1", 0), _HoldingGraph)
    graph.daemon_threads = True
    threading.Thread(target=graph.serve_forever, daemon=True).start()
    try:
        message_id = _shell(
            cluster,
            "import uuid\n"
            "from balie.connectors.models import ChannelThread\n"
            "from balie.connectors.whatsapp.demo import demo_whatsapp\n"
            "from balie.conversations.actions import do_send_message\n"
            "from balie.tenants.models import Organisation\n"
            "account = demo_whatsapp(Organisation.objects.get(slug='utrecht'))\n"
            f"account.settings['graph_url'] = 'http://127.0.0.1:{graph.server_port}/v21.0'\n"
            "account.save(update_fields=['settings'])\n"
            "thread = ChannelThread.objects.filter(account=account).first()\n"
            "result = do_send_message(thread.conversation, direction='outbound',"
            " body='Wij kijken ernaar', client_id=uuid.uuid4().hex)\n"
            "print(result.message.pk)",
            BALIE_DEBUG="true",  # the demo channel and this fake speak plain http on 127.0.0.1
        ).splitlines()[-1]
        first = cluster.start_worker("sender-1")
        assert _HoldingGraph.arrived.wait(60), "the worker never called the channel"
        cluster.kill_worker(first)

        cluster.start_worker("sender-2")

        def failed():
            ((status, error),) = cluster.query(
                "SELECT delivery_status, delivery_error FROM conversations_message WHERE id = %s",
                int(message_id),
            )
            return (status, error) if status == "failed" else None

        status, error = _wait_for(failed, REQUEUE_WITHIN + 30, "the interrupted delivery")
        assert error == "delivery_interrupted"
        time.sleep(2 * workers.BEAT_SECONDS)
        assert len(_HoldingGraph.calls) == 1, "the message went to the channel twice"
        rows = _task_rows(cluster, "balie.conversations.tasks.deliver_outbound")
        assert [(s, len(w)) for s, w in rows] == [("SUCCESSFUL", 2)]
    finally:
        graph.shutdown()
