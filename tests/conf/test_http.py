"""The outgoing HTTP client base that the GPP, Open Klant, Notificaties, Graph and webhook
clients share: where a remote's URLs may point, what of a refusal is kept, and that a broken
connection never leaks its address."""

from __future__ import annotations

import pytest
import requests

from balie.conf.http import USER_AGENT, inside, remote_reason, session, transport_errors


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ok.example/api/v1/things/1", True),
        ("https://OK.example:443/api/v1/", True),  # the default port, named
        ("http://ok.example/api/v1/things/1", False),  # another scheme
        ("https://ok.example:8443/api/v1/things/1", False),  # another port
        ("https://ok.example.evil/api/v1/", False),
        ("https://evil.example/api/v1/", False),
        ("https://ok.example/api/v2/things", False),  # beside the base, not below it
        ("https://ok.example/api/v1x/things", False),
        ("https://ok.example:99999/api/v1/", False),  # a port that is none
        ("https://user@evil.example/api/v1/", False),
    ],
)
def test_a_remote_url_must_lie_under_the_configured_base(url, expected):
    assert inside(url, "https://ok.example/api/v1") is expected


def _answer(status: int, body: bytes, content_type: str = "application/json"):
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers["Content-Type"] = content_type
    response.reason = "Bad Request"
    return response


def test_a_refusal_keeps_the_remotes_reason_on_one_short_line():
    problem = b'{"title": "Ongeldig", "detail": "Ongeldig", "invalidParams": [{"name": "kanaal", "reason": "te lang\\n"}]}'  # noqa: E501
    assert remote_reason(_answer(400, problem)) == "Ongeldig; kanaal: te lang"
    assert remote_reason(_answer(400, b'{"onderwerp": ["Te lang."]}')) == "onderwerp: Te lang."
    page = b"<html><body><h1>502 Bad Gateway</h1>\x00</body></html>" + b"x" * 1000
    reason = remote_reason(_answer(502, page, "text/html"))
    assert reason.startswith("502 Bad Gateway") and len(reason) <= 300 and "<" not in reason
    assert remote_reason(_answer(400, b"")) == "Bad Request"


def test_a_broken_connection_is_named_without_its_address():
    with pytest.raises(ValueError, match="^ConnectionError$"), transport_errors(ValueError):
        raise requests.ConnectionError("https://ok.example/?token=secret refused")


def test_a_session_says_who_calls_and_never_waits_forever():
    with session(timeout=(2, 5)) as calls:
        assert calls.headers["User-Agent"] == USER_AGENT
        assert USER_AGENT.startswith("Balie/")
