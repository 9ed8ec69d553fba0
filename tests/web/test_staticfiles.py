"""Static files are answered at the ASGI level, from memory, with validators."""

from __future__ import annotations

from asgiref.testing import ApplicationCommunicator

from balie.conf.staticfiles import StaticFilesApp

CSS = "/static/balie/console/console.css"


async def _not_django(scope, receive, send):
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


async def request(path, method="GET", headers=()):
    app = StaticFilesApp(_not_django)
    scope = {"type": "http", "method": method, "path": path, "headers": list(headers)}
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output()
    body = await communicator.receive_output()
    return start["status"], dict(start["headers"]), body["body"]


async def test_css_is_served_with_type_and_etag():
    status, headers, body = await request(CSS)
    assert status == 200
    assert headers[b"content-type"] == b"text/css; charset=utf-8"
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert body and int(headers[b"content-length"]) == len(body)

    status, _headers, body = await request(CSS, headers=[(b"if-none-match", headers[b"etag"])])
    assert (status, body) == (304, b"")


async def test_unknown_files_and_other_methods_are_refused():
    assert (await request("/static/balie/../../settings.py"))[0] == 404
    assert (await request("/static/nope.js"))[0] == 404
    assert (await request(CSS, method="POST"))[0] == 405


async def test_head_sends_no_body():
    status, headers, body = await request(CSS, method="HEAD")
    assert status == 200 and body == b"" and int(headers[b"content-length"]) > 0


async def test_everything_else_goes_to_django():
    assert (await request("/console/"))[0] == 299


async def test_text_files_go_gzipped_to_browsers_that_accept_it():
    import gzip

    plain_status, plain, body = await request(CSS)
    status, headers, packed = await request(CSS, headers=[(b"accept-encoding", b"gzip, br")])
    assert (plain_status, status) == (200, 200)
    assert headers[b"content-encoding"] == b"gzip" and headers[b"vary"] == b"Accept-Encoding"
    assert gzip.decompress(packed) == body and len(packed) < len(body)
    assert int(headers[b"content-length"]) == len(packed)
    assert b"content-encoding" not in plain and plain[b"vary"] == b"Accept-Encoding"
    assert headers[b"etag"] != plain[b"etag"]  # another representation, another validator
    status, _h, empty = await request(
        CSS, headers=[(b"accept-encoding", b"gzip"), (b"if-none-match", headers[b"etag"])]
    )
    assert (status, empty) == (304, b"")
