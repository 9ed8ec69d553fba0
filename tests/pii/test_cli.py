"""``balie pii detect`` on stdin: JSONL or plain lines, one answer per line, bad lines apart."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BALIE = shutil.which("balie") or str(Path(sys.executable).with_name("balie"))


def run(stdin: str, *args: str, cwd=None) -> tuple[list[dict], int]:
    # no DATABASE_URL, no BALIE_DATA_DIR, an empty working directory: nothing configured
    done = subprocess.run(
        [BALIE, "pii", "detect", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": ""},
        timeout=60,
    )
    return [json.loads(line) for line in done.stdout.splitlines()], done.returncode


def test_plain_and_jsonl_lines(tmp_path):
    lines = [
        "Mijn BSN is 111222333",
        json.dumps({"text": "Bel 030 286 0000", "context": {"allow": {"phones": ["0302860000"]}}}),
        json.dumps({"text": "mevrouw Bakker"}),
        "",
    ]
    out, code = run("\n".join(lines) + "\n", cwd=tmp_path)
    assert code == 0
    assert out[0] == {
        "spans": [
            {
                "start": 12,
                "end": 21,
                "category": "bsn",
                "confidence": 0.99,
                "ground": "5.1.1e",
                "source": "bsn:elfproef+cue",
            }
        ]
    }
    assert out[1] == {"spans": []}
    assert [s["category"] for s in out[2]["spans"]] == ["name"]
    assert out[3] == {"spans": []}
    assert list(tmp_path.iterdir()) == []  # wrote nothing: no database, no data directory


@pytest.mark.parametrize(
    "line, error",
    [
        (
            "{bad json",
            "not valid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        ('{"text": 5}', "'text' must be a string"),
        ('["text"]', "not valid JSON"),  # a list is plain text? no: it is read as text
        ('{"txt": "x"}', "unknown key 'txt' (expected text, context)"),
        (
            '{"text": "x", "context": {"allow": {"phone": []}}}',
            "context.allow: unknown key 'phone' "
            "(one of names, phones, emails, addresses, urls, texts)",
        ),
    ],
)
def test_a_bad_line_gets_its_error_and_the_next_line_its_spans(line, error):
    out, code = run(f"{line}\nBSN 111222333\n")
    if line.startswith("["):  # not an object: plain text, no spans
        assert out[0] == {"spans": []} and code == 0
        return
    assert code == 1
    assert out[0] == {"error": error}
    assert [s["category"] for s in out[1]["spans"]] == ["bsn"]


def test_an_oversized_line_is_refused():
    out, code = run("x" * 1_000_001 + "\nBSN 111222333\n")
    assert out[0] == {"error": "line longer than 1000000 characters"}
    assert out[1]["spans"][0]["category"] == "bsn"


def test_context_file_applies_to_every_line(tmp_path):
    context = tmp_path / "utrecht.json"
    context.write_text(
        json.dumps(
            {"allow": {"phones": ["14 030", "030 286 0000"]}, "grounds": {"phone": "5.1.2d"}}
        )
    )
    out, _ = run("bel 030 286 0000\nbel 0612345678\n", "--context", str(context))
    assert out[0] == {"spans": []}
    assert out[1]["spans"][0]["ground"] == "5.1.2d"


def test_bad_context_file_is_refused(tmp_path):
    context = tmp_path / "bad.json"
    context.write_text('{"allow": {"phone": []}}')
    done = subprocess.run(
        [BALIE, "pii", "detect", "--context", str(context)],
        input="",
        capture_output=True,
        text=True,
        env={"PATH": ""},
        timeout=60,
    )
    assert done.returncode == 2
    assert "context.allow: unknown key 'phone'" in done.stderr


def test_request_mode_finds_a_string_in_every_line():
    out, code = run("ik ben mevrouw Bakker\nBakker belt terug\n", "--request")
    assert code == 0
    assert [s["source"] for s in out[1]["spans"]] == ["repeat:name"]


def test_invalid_utf8_is_read_with_replacement():
    done = subprocess.run(
        [BALIE, "pii", "detect"],
        input=b"BSN 111222333 \xff\n",
        capture_output=True,
        env={"PATH": ""},
        timeout=60,
    )
    assert json.loads(done.stdout)["spans"][0]["category"] == "bsn"
