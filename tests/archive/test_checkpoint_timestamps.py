"""RFC 3161 time-stamps on checkpoints, against a local TSA that checks the protocol.

The key's holder can sign a checkpoint line at any time and write any date into it; a TSA's
token over the signed line fixes when it existed. Each way a token can fail to prove that is
refused: another line's token, a token dated far from the line, a bad signature, a
certificate not meant for time-stamping or not issued by the configured CA, a TSA that
refuses or answers something else.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from balie.archive import chain, checkpoints, timestamps
from tests.archive.fake_tsa import Authority, FakeTSA
from tests.archive.test_tamper_evidence import KEY, _verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    return Authority()


@pytest.fixture
def tsa(authority, settings, tmp_path):
    ca_file = tmp_path / "tsa-ca.pem"
    ca_file.write_bytes(authority.ca_pem())
    settings.CHECKPOINT_KEY = KEY
    settings.TSA_CERTIFICATE = str(ca_file)
    timestamps._anchors.cache_clear()
    with FakeTSA(authority) as fake:
        settings.TSA_URL = fake.url
        yield fake
    timestamps._anchors.cache_clear()


def _export(path) -> list[dict]:
    assert _verify(export_checkpoint=str(path)) == 0
    return [json.loads(line) for line in path.read_text().splitlines()]


def _signed(line: dict) -> bytes:
    return chain.canonical({k: v for k, v in line.items() if k != "timestamp"})


def test_an_exported_checkpoint_carries_a_time_stamp_that_verify_checks(
    history, tsa, tmp_path, capsys
):
    path = tmp_path / "checkpoint.jsonl"
    (line,) = _export(path)
    assert tsa.refused == []  # the request keeps to RFC 3161 as the fake reads it
    (query,) = tsa.authority.requests
    assert query["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    reading = timestamps.check(line["timestamp"]["token"], _signed(line))
    assert (
        query["message_imprint"]["hashed_message"].native
        == timestamps.hashlib.sha256(_signed(line)).digest()
    )
    assert reading.trusted and "Test TSA Unit" in reading.signer
    assert line["timestamp"]["time"] == reading.time.isoformat()
    capsys.readouterr()
    assert _verify(checkpoint=str(path)) == 0
    assert "1 line(s) hold (1 time-stamped, 1 by a trusted TSA)" in capsys.readouterr().out


def test_without_a_configured_certificate_the_token_holds_but_is_not_trusted(
    history, tsa, settings, tmp_path, capsys
):
    path = tmp_path / "checkpoint.jsonl"
    _export(path)
    settings.TSA_CERTIFICATE = ""
    capsys.readouterr()
    assert _verify(checkpoint=str(path)) == 0
    assert "(1 time-stamped, 0 by a trusted TSA)" in capsys.readouterr().out


def test_a_tsa_of_another_ca_is_not_trusted(history, tsa, settings, tmp_path, capsys):
    path = tmp_path / "checkpoint.jsonl"
    _export(path)
    other = tmp_path / "other-ca.pem"
    other.write_bytes(Authority().ca_pem())
    settings.TSA_CERTIFICATE = str(other)
    timestamps._anchors.cache_clear()
    capsys.readouterr()
    assert _verify(checkpoint=str(path)) == 1
    assert "neither BALIE_TSA_CERTIFICATE nor issued by it" in capsys.readouterr().out


def test_a_back_dated_line_is_caught_even_with_the_key(history, tsa, tmp_path, capsys):
    """The insider holds the key and writes a line 'from last month' today."""
    (line,) = _export(tmp_path / "honest.jsonl")
    record = {k: v for k, v in line.items() if k not in ("hmac", "timestamp")}
    record["at"] = (timezone.now() - timedelta(days=30)).isoformat()
    signed = {**record, "hmac": checkpoints._signature(record, KEY.encode())}
    token, _ = timestamps.stamp(chain.canonical(signed))
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps({**signed, "timestamp": {"token": token}}) + "\n")
    capsys.readouterr()
    assert _verify(checkpoint=str(forged)) == 1
    assert "dated other than when it was made" in capsys.readouterr().out


def test_a_token_moved_to_another_line_is_caught(history, tsa, tmp_path, capsys):
    path = tmp_path / "checkpoint.jsonl"
    (first,) = _export(path)
    (second,) = _export(tmp_path / "later.jsonl")
    second["timestamp"] = first["timestamp"]
    path.write_text(json.dumps(second) + "\n")
    capsys.readouterr()
    assert _verify(checkpoint=str(path)) == 1
    assert "message imprint differs" in capsys.readouterr().out


@pytest.mark.parametrize("edit", ["garbage", "truncated", "not_a_dict"])
def test_an_unreadable_token_is_a_finding_not_a_crash(history, tsa, tmp_path, capsys, edit):
    path = tmp_path / "checkpoint.jsonl"
    (line,) = _export(path)
    token = line["timestamp"]["token"]
    line["timestamp"] = {
        "garbage": {"token": "bm90IGEgdG9rZW4="},
        "truncated": {"token": token[: len(token) // 2]},
        "not_a_dict": "token",
    }[edit]
    path.write_text(json.dumps(line) + "\n")
    capsys.readouterr()
    assert _verify(checkpoint=str(path)) == 1
    assert "BROKEN checkpoint line 1: the time-stamp" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("misbehave", "reason"),
    [
        ("refuse", "the TSA refused: rejection policy not accepted"),
        ("nonce", "nonce is not the request's"),
        ("imprint", "message imprint differs"),
        ("signature", "signature does not verify"),
        ("http_500", "the TSA answered HTTP 500"),
        ("html", "the TSA answered text/html"),
    ],
)
def test_a_tsa_that_answers_wrongly_fails_the_export_but_keeps_the_signed_line(
    history, tsa, tmp_path, misbehave, reason
):
    tsa.authority.misbehave = misbehave
    path = tmp_path / "checkpoint.jsonl"
    with pytest.raises(CommandError, match="Time-stamping failed") as failed:
        call_command("verify", export_checkpoint=str(path))
    assert reason in str(failed.value)
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert "timestamp" not in line and len(line["hmac"]) == 64


def test_a_certificate_not_for_time_stamping_is_refused(history, settings, tmp_path):
    authority = Authority(stamping=False)
    settings.CHECKPOINT_KEY = KEY
    with FakeTSA(authority) as fake:
        settings.TSA_URL = fake.url
        with pytest.raises(CommandError, match="not for time-stamping"):
            call_command("verify", export_checkpoint=str(tmp_path / "c.jsonl"))


def test_an_unreachable_tsa_fails_the_export_with_its_reason(history, settings, tmp_path):
    settings.CHECKPOINT_KEY = KEY
    settings.TSA_URL = "http://127.0.0.1:9/tsa"  # the discard port: nothing listens
    settings.TSA_TIMEOUT_SECONDS = 2
    with pytest.raises(CommandError, match="cannot be reached"):
        call_command("verify", export_checkpoint=str(tmp_path / "c.jsonl"))


def test_only_an_http_address_is_asked(history, settings, tmp_path):
    settings.CHECKPOINT_KEY = KEY
    settings.TSA_URL = "file:///etc/passwd"
    with pytest.raises(CommandError, match="must be an http:// or https:// address"):
        call_command("verify", export_checkpoint=str(tmp_path / "c.jsonl"))


def test_the_fake_refuses_what_breaks_the_protocol(tsa):
    """The fake is strict, so that the request Balie sends is known to be RFC 3161's."""
    request = urllib.request.Request(  # noqa: S310 - the fake's own http:// address
        tsa.url, data=b"\x30\x03\x02\x01\x01", method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    refused.value.close()
    assert refused.value.code == 400
    assert tsa.refused == ["Content-Type must be application/timestamp-query"]
