"""Fixtures for the webhooks: administrators, a real receiver on 127.0.0.1, and a worker that
runs the sending tasks without waiting for a retry's pause."""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.integrations.webhooks import sending, tasks
from balie.integrations.webhooks.models import Delivery, DeliveryState
from balie.integrations.webhooks.subscriptions import do_create_subscription
from tests.conftest import PASSWORD

TASK = "balie.integrations.webhooks.tasks.send_deliveries"


@pytest.fixture
def admin_ada(utrecht):
    """Utrecht's application administrator."""
    user = do_create_staff_user(username="admin_ada", password=PASSWORD, first_name="Ada")
    do_set_membership(user, utrecht, Role.ADMIN)
    return user


@pytest.fixture
def admin_gijs(groningen):
    """Groningen's application administrator."""
    user = do_create_staff_user(username="admin_gijs", password=PASSWORD, first_name="Gijs")
    do_set_membership(user, groningen, Role.ADMIN)
    return user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers each POST with the next scripted status (200 when the
    script is empty), or waits ``delay`` seconds first; keeps what it was sent."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    delay: float = 0.0
    answer: bytes = b"ok"
    location: str = ""
    server_names: list[str] = field(default_factory=list)

    def answers(self, *statuses: int) -> None:
        self.script.extend(statuses)

    def events(self) -> list[dict]:
        return [r.event for r in self.received]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the standard library's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.script.pop(0) if receiver.script else 200
            try:
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, *args):
            pass

    return Handler


def _serving(fake: Receiver, tls: ssl.SSLContext | None = None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls else "http"
    fake.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/balie"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def receiver(settings, monkeypatch):
    """A real HTTP server on 127.0.0.1; loopback allowed as the installation would allow it
    for a receiver on the same machine."""
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    monkeypatch.setattr(sending, "TIMEOUT", (2.0, 2.0))
    fake = Receiver()
    server, thread = _serving(fake)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def tls_receiver(settings, monkeypatch, tmp_path):
    """The same over TLS, with a certificate for ``ontvanger.test`` that Balie trusts here;
    ``tls_receiver.server_names`` holds the names clients asked for (SNI)."""
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    monkeypatch.setattr(sending, "TIMEOUT", (2.0, 2.0))
    certificate, key = _self_signed("ontvanger.test", tmp_path)
    monkeypatch.setattr(sending, "VERIFY", str(certificate))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    fake = Receiver()
    context.sni_callback = lambda _socket, name, _context: fake.server_names.append(name)
    server, thread = _serving(fake, context)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(5)


def _self_signed(name: str, directory):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "receiver.pem", directory / "receiver.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


@pytest.fixture
def subscribed(utrecht, admin_ada, receiver):
    """Utrecht's receiver for every event type: (subscription, secret)."""
    return do_create_subscription(utrecht.pk, actor=admin_ada, name="CRM", url=receiver.url)


def run_tasks(limit: int = 50) -> list[str]:
    """What a worker does, without waiting for run_after: run every sending task that is
    ready, oldest first, until none is left; time passes so that its deliveries are due."""
    states: list[str] = []
    for _round in range(limit):
        row = (
            DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY)
            .order_by("enqueued_at")
            .first()
        )
        if row is None:
            return states
        ids = row.args_kwargs["args"][0]
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
            next_attempt_at=timezone.now()
        )
        row.claim("test")
        result = tasks.send_deliveries.call(ids)
        row.set_successful(result)
        states += result
    raise AssertionError("the sending tasks did not come to an end")
