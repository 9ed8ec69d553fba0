"""Content-addressed files in an S3-compatible bucket (moto's server over HTTP): stored once,
read back, under the installation's prefix, safe when the same bytes arrive at once, and a
clear error, soon, when the store cannot be reached (decision 0032)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils import timezone

from balie.conf.storage import S3Options, default_storage_setting
from balie.conversations import actions
from balie.conversations.blobs import blob_name, blob_stream, open_blob, store_blob
from balie.conversations.models import Attachment
from balie.conversations.tasks import remove_unsent_uploads
from tests.factories import pdf_document
from tests.fakes.s3 import switch_to_s3

DATA = b"%PDF-1.7 Balie content-addressed test bytes\n" * 100
DATA_PDF = pdf_document(b"Oud en nooit verstuurd")
OTHER_PDF = pdf_document(b"Net geupload")


def key_of(s3_storage, data: bytes) -> str:
    return f"{s3_storage.prefix}{blob_name(hashlib.sha256(data).hexdigest())}"


def test_a_file_is_stored_under_its_sha256_in_the_prefix_and_read_back(s3_storage):
    sha256 = store_blob(DATA)

    assert sha256 == hashlib.sha256(DATA).hexdigest()
    assert s3_storage.keys() == [key_of(s3_storage, DATA)]
    with open_blob(sha256) as blob:
        assert blob.read() == DATA
    stream = blob_stream(sha256)
    try:
        assert stream.size == len(DATA)
        assert b"".join(iter(lambda: stream.read(1000), b"")) == DATA
    finally:
        stream.close()


def test_storing_costs_one_head_and_one_put_and_the_same_bytes_again_one_head(s3_storage):
    server = s3_storage.server
    mark = len(server.calls)
    store_blob(DATA)
    first = server.calls_since(mark, s3_storage.prefix)
    mark = len(server.calls)
    store_blob(DATA)
    again = server.calls_since(mark, s3_storage.prefix)

    path = f"/{server.bucket}/{key_of(s3_storage, DATA)}"
    assert first == [("HEAD", path), ("PUT", path)]
    assert again == [("HEAD", path)]
    assert s3_storage.keys() == [key_of(s3_storage, DATA)]


def test_the_same_bytes_stored_at_once_make_one_object_and_no_error(s3_storage):
    start = threading.Barrier(8)

    def upload(_):
        start.wait()
        return store_blob(DATA)

    with ThreadPoolExecutor(8) as pool:
        digests = set(pool.map(upload, range(8)))

    assert digests == {hashlib.sha256(DATA).hexdigest()}
    assert s3_storage.keys() == [key_of(s3_storage, DATA)]
    with open_blob(digests.pop()) as blob:
        assert blob.read() == DATA


def test_two_installations_in_one_bucket_keep_apart(s3_storage, s3_server, settings):
    store_blob(DATA)
    switch_to_s3(settings, s3_server.options("other-installation/"))

    assert not default_storage.exists(blob_name(hashlib.sha256(DATA).hexdigest()))
    store_blob(DATA)
    assert s3_server.keys("other-installation/") == [
        f"other-installation/{blob_name(hashlib.sha256(DATA).hexdigest())}"
    ]
    assert s3_storage.keys() == [key_of(s3_storage, DATA)]


def test_exists_answers_for_the_readiness_probe(s3_storage):
    name = blob_name(hashlib.sha256(DATA).hexdigest())
    assert default_storage.exists(name) is False
    store_blob(DATA)
    assert default_storage.exists(name) is True


def test_a_missing_file_is_file_not_found_as_on_disk(s3_storage):
    missing = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(FileNotFoundError):
        open_blob(missing)
    with pytest.raises(FileNotFoundError):
        blob_stream(missing)


def test_server_side_encryption_is_asked_for_every_object(s3_storage, s3_server, settings):
    switch_to_s3(settings, s3_server.options(s3_storage.prefix, sse="AES256"))
    store_blob(DATA)

    head = s3_server.client().head_object(Bucket=s3_server.bucket, Key=key_of(s3_storage, DATA))
    assert head["ServerSideEncryption"] == "AES256"


def test_deleting_removes_the_object(s3_storage):
    sha256 = store_blob(DATA)
    default_storage.delete(blob_name(sha256))

    assert s3_storage.keys() == []
    default_storage.delete(blob_name(sha256))  # gone already: no error


@pytest.fixture
def refusing_port():
    """A port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers: a hung store."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize("port_fixture", ["refusing_port", "silent_port"])
def test_an_unreachable_store_is_a_clear_error_within_seconds(
    s3_server, settings, request, port_fixture, caplog
):
    port = request.getfixturevalue(port_fixture)
    options = s3_server.options(
        "unreachable/",
        endpoint_url=f"http://127.0.0.1:{port}",
        connect_timeout=1,
        read_timeout=1,
        max_attempts=2,
    )
    switch_to_s3(settings, options)

    started = time.monotonic()
    with pytest.raises(ConnectionError) as raised:  # an OSError: the removal jobs retry
        store_blob(DATA)
    assert time.monotonic() - started < 6
    assert f"endpoint http://127.0.0.1:{port}, bucket balie-test" in str(raised.value)
    assert str(raised.value) in caplog.text


@pytest.mark.parametrize(
    ("kind", "s3", "downloads", "says"),
    [
        ("local", None, "signed", "needs BALIE_FILE_STORAGE=s3"),
        ("s3", None, "stream", "needs BALIE_S3_BUCKET"),
        ("disk", None, "stream", "local or s3"),
        ("local", None, "proxy", "stream or signed"),
        ("s3", S3Options(bucket="b", access_key_id="k"), "stream", "both"),
        ("s3", S3Options(bucket="b", sse="aes"), "stream", "AES256"),
    ],
)
def test_a_configuration_that_cannot_work_is_refused_at_start(kind, s3, downloads, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        default_storage_setting(kind, location="/tmp/x", s3=s3, downloads=downloads)


def test_a_process_configured_only_by_its_environment_stores_in_the_bucket(s3_server, tmp_path):
    """What `balie serve` on another node does: nothing but BALIE_* variables."""
    prefix = f"env-{os.getpid()}-{time.time_ns()}/"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BALIE_", "AWS_"))},
        **s3_server.env(prefix),
        "BALIE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
    }
    script = (
        "import django; django.setup()\n"
        "from balie.conversations.blobs import store_blob\n"
        "print(store_blob(b'from another node'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    sha256 = hashlib.sha256(b"from another node").hexdigest()
    assert done.stdout.strip() == sha256
    assert s3_server.keys(prefix) == [f"{prefix}{blob_name(sha256)}"]


@pytest.mark.django_db
def test_the_unsent_uploads_job_deletes_their_objects(
    webchat, s3_storage, settings, django_capture_on_commit_callbacks
):
    settings.UNSENT_UPLOADS_MAX_AGE_HOURS = 24
    conversation, _token = webchat
    old = actions.do_store_attachment(conversation, data=DATA_PDF, filename="oud.pdf")
    young = actions.do_store_attachment(conversation, data=OTHER_PDF, filename="nieuw.pdf")
    Attachment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert remove_unsent_uploads.call() == 1

    assert s3_storage.keys() == [s3_storage.prefix + blob_name(young.sha256)]
