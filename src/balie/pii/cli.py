"""``balie pii detect``: spans for each line on stdin, one JSON object per line on stdout.

Input lines are JSON objects ``{"text": …, "context": {…}}`` or plain text (a line that does
not start with ``{``). Output per line: ``{"spans": [{"start", "end", "category",
"confidence", "ground", "source"}]}``, or ``{"error": …}`` for a line that cannot be read; one
bad line never stops the others. Offsets count Unicode code points. Needs no database and no
configuration; ``--context FILE`` adds a context (an organisation's allow-list, grounds) to
every line, ``--request`` treats all lines as one request (a string found in one line is found
in all; output comes after the last line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import IO, Any

from balie.errors import Invalid

from .context import Context, ContextError
from .detector import detect_all
from .lists import lexicon

__all__ = ["main"]

MAX_LINE = 1_000_000  # characters: a chat message is far shorter; a whole book is not one


class LineError(Invalid):
    """A line of input that cannot be read; its message goes out as that line's error."""

    default_code = "pii_line_invalid"


def _read(line: str, base: Context) -> tuple[str, Context]:
    if len(line) > MAX_LINE:
        raise LineError(message=f"line longer than {MAX_LINE} characters")
    if not line.lstrip().startswith("{"):
        return line, base
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise LineError(message=f"not valid JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(data, dict):
        raise LineError(message="expected a JSON object")
    unknown = set(data) - {"text", "context"}
    if unknown:
        raise LineError(message=f"unknown key {sorted(unknown)[0]!r} (expected text, context)")
    text = data.get("text")
    if not isinstance(text, str):
        raise LineError(message="'text' must be a string")
    if len(text) > MAX_LINE:
        raise LineError(message=f"text longer than {MAX_LINE} characters")
    context = base
    if data.get("context") is not None:
        context = base.merged(Context.from_dict(data["context"]))
    return text, context


def _spans(text: str, context: Context) -> dict[str, Any]:
    return {"spans": [s.as_dict() for s in detect_all([text], context)[0]]}


def _lines(stream: IO[str]) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def run(stdin: IO[str], stdout: IO[str], base: Context, request: bool) -> int:
    errors = 0
    if request:
        texts: list[str] = []
        problems: dict[int, str] = {}
        for n, line in enumerate(_lines(stdin)):
            try:
                text, context = _read(line, base)
                if context is not base:
                    raise LineError(message="with --request the context comes from --context only")
            except (LineError, ContextError) as e:
                problems[n] = str(e)
                text = ""
            texts.append(text)
        results = detect_all(texts, base)
        for n, spans in enumerate(results):
            out = (
                {"error": problems[n]} if n in problems else {"spans": [s.as_dict() for s in spans]}
            )
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 1 if problems else 0
    for line in _lines(stdin):
        try:
            text, context = _read(line, base)
            out = _spans(text, context)
        except (LineError, ContextError) as e:
            out = {"error": str(e)}
            errors += 1
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="balie pii", description="Find personal data in Dutch chat text."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    detect = commands.add_parser(
        "detect",
        help="read JSONL or plain lines on stdin, write one JSON object per line",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    detect.add_argument(
        "--context",
        metavar="FILE",
        help="JSON context for every line (allow-list, grounds, participants)",
    )
    detect.add_argument(
        "--request",
        action="store_true",
        help="all lines are one request: a string found once is found in all",
    )
    args = parser.parse_args(argv)
    base = Context.from_dict(None)
    if args.context:
        try:
            with open(args.context, encoding="utf-8") as f:
                base = Context.from_dict(json.load(f))
        except (OSError, json.JSONDecodeError, ContextError) as e:
            parser.error(f"--context {args.context}: {e}")
    lexicon()  # read the lists before the first line, not on it
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    return run(stdin, sys.stdout, base, args.request)
