"""A chunked upload (no Content-Length) larger than any endpoint accepts is cut off."""

from __future__ import annotations

from asgiref.testing import ApplicationCommunicator

from balie.conf.asgi import application


async def post_chunked(path, chunks):
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/octet-stream")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(application, scope)
    for i, chunk in enumerate(chunks):
        await communicator.send_input(
            {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        )
    start = await communicator.receive_output(5)
    body = await communicator.receive_output(5)
    await communicator.wait(5)  # let the app finish (Django closes the request body file)
    return start["status"], body["body"]


async def test_oversized_chunked_body_gets_413(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    status, body = await post_chunked("/c/utrecht/upload/", [b"x" * 50_000] * 3)
    assert status == 413
    assert b"too_large" in body


async def test_small_chunked_body_reaches_django(settings, db):
    status, _body = await post_chunked("/nowhere/", [b"x" * 10, b"y" * 10])
    assert status == 404
