"""The messages of an export, piece by piece.

The file is read in blocks and decoded in pieces (:mod:`.export`). Each piece is cut at its
headers by one ``re.split`` (in C): the list alternates [text before, upto_hour, ms, am/pm,
body, upto_hour, ms, am/pm, body, …]. The pattern takes the line break before each header,
so a body ends without the line break that ends it. The text before a piece's first header
continues the message still open, or (matched by ``Layout.start``) opens the piece with a
header. A piece's last message stays open, as its body may continue into the next piece;
it ends at the next header. A message that goes on through a whole block (4 MB) is
refused with ``message_too_long``: WhatsApp's own limit is 65,536 characters, so such a
file is not an export, and cutting it would make the rest look like text before a message.

Most messages are plain text from an author already seen: those are built in the piece's
loop with a few string operations. Every other message (a new author, a system line, a
marker, U+200E, a line near the limit, an error) goes through ``Reader._one``, the rules
of :mod:`.kinds` and :mod:`.moments` in full.
"""

from __future__ import annotations

from collections.abc import Iterator

from balie.imports.parsers.base import Kind, Limits, ParsedChat, ParsedMessage, ParseError
from balie.imports.parsers.whatsapp.export import BLOCK, Opener, blocks, texts
from balie.imports.parsers.whatsapp.headers import MARKS, Layout
from balie.imports.parsers.whatsapp.kinds import (
    MARK,
    MARKER_LENGTHS,
    MARKER_TEXTS,
    chat_name,
    classify,
    split_author,
)
from balie.imports.parsers.whatsapp.moments import OFFSETS, Moments

# (upto_hour, ms, am/pm, line, body) of a message whose body may continue
_Pending = tuple[str, str, str | None, int, str]


class Reader:
    def __init__(self, opener: Opener, layout: Layout, moments: Moments,
                 members: frozenset[str], chat: ParsedChat, file_name: str,
                 limits: Limits):  # fmt: skip
        self.opener, self.layout, self.moments = opener, layout, moments
        self.members, self.chat, self.file_name, self.limits = members, chat, file_name, limits
        self.index = 0
        self.authors: set[str] = set()
        self.chat_names = {chat.title}  # and the first line's on iOS (kinds.chat_name)
        self.block = 0  # the number of the block being read
        self.open: _Pending | None = None  # the message whose body may continue
        self.opened_in = 0  # the block it began in

    def messages(self) -> Iterator[ParsedMessage]:
        read = blocks(self.opener, self.file_name, self.limits)
        for number, (data, block_line, first) in enumerate(read):
            self.block, line = number, block_line
            for piece in texts(data, block_line, first, self.file_name):
                parts = self.layout.split.split(piece)
                yield from self._head(parts[0], line, block_line, ends=len(parts) > 1)
                if len(parts) == 1:
                    line += piece.count("\n")
                    continue
                first_header = line + parts[0].count("\n") + 1
                last = yield from self._messages(parts, first_header, piece)
                self.open = (parts[-4], parts[-3], parts[-2], last, parts[-1])
                self.opened_in = number
                line = last + parts[-1].count("\n")  # where the next piece starts
            if self.open and self.opened_in < number:  # went on through this whole block
                raise ParseError(
                    self.file_name,
                    f"line {self.open[3]}",
                    f"This message is longer than {BLOCK // 2**20} MB; a WhatsApp message is "
                    "at most 65,536 characters.",
                    "message_too_long",
                )
        if self.open:
            yield self._finish(self.open, ended_by_break=True)

    def _head(self, head: str, line: int, block_line: int, ends: bool):
        """The text before a piece's first header: it opens the piece with a header, or
        continues the open message; ``ends``: a header follows it in the piece."""
        opening = self.layout.start.match(head)
        current = None
        if opening:
            if self.open:  # ended by the line break before this piece's first line
                yield self._finish(self.open, ended_by_break=True)
            upto_hour, ms, ampm = opening.group("upto_hour", "ms", "ap")
            current = (upto_hour, ms, ampm, line, head[opening.end() :])
            self.opened_in = self.block
        elif self.open:
            upto_hour, ms, ampm, start, body = self.open
            current = (upto_hour, ms, ampm, start, body + head)
        elif head.strip(MARKS + " \r\n"):
            raise ParseError(self.file_name, f"line {block_line}",
                             "Text before the first message.", "not_whatsapp")  # fmt: skip
        self.open = None if ends else current
        if ends and current:
            yield self._finish(current, ended_by_break=False)

    def _messages(self, parts: list, line: int, piece: str):
        """The piece's messages but its last; returns the line the last one starts on."""
        index, authors, hours = self.index, self.authors, self.moments.hours
        max_line, text_kind = self.limits.max_line_chars, Kind.TEXT
        has_cr, has_marks = "\r" in piece, MARK.search(piece) is not None
        short = len(piece) <= max_line  # no body in the piece can hold a line too long
        fields = iter(parts[1:-4])
        for upto_hour, ms, ampm, body in zip(fields, fields, fields, fields, strict=True):
            start = line
            lines = "\n" in body
            line += body.count("\n") + 1 if lines else 1
            if has_cr:
                body = body.removesuffix("\r")
            author, colon, text = body.partition(": ")
            plain = colon and author in authors and (short or len(body) <= max_line)
            if plain and (has_cr or has_marks):
                plain = not (has_cr and "\r" in body) and not (has_marks and MARK.search(text))
            if not plain or (  # the only texts in which kinds.classify can find a marker
                ("<" in text and (text.startswith("<") or text.endswith(">")))
                or " (" in text
                or " • " in text
                or (
                    len(stripped := text.strip()) in MARKER_LENGTHS
                    and stripped.lower() in MARKER_TEXTS
                )
                or (lines and _first_line_marker(text))
            ):
                self.index = index
                yield self._one(upto_hour, ms, ampm, start, body)
                index += 1
                continue
            try:
                stamp = hours[upto_hour if ampm is None else upto_hour + ampm] + OFFSETS[ms]
            except KeyError:  # an hour not seen yet, or not a time
                stamp = self.moments.at(upto_hour, ms, ampm, start)
            yield ParsedMessage(index, f"line {start}", stamp, author, text, text_kind)
            index += 1
        self.index = index
        return line

    def _finish(self, pending: _Pending, ended_by_break: bool) -> ParsedMessage:
        """A message whose body is complete; ``ended_by_break``: the body still holds the
        line break that ends it (at a block's end, or the file's)."""
        upto_hour, ms, ampm, line, body = pending
        if ended_by_break:
            if not body.endswith("\n"):
                return self._one(upto_hour, ms, ampm, line, body)
            body = body[:-1]
        return self._one(upto_hour, ms, ampm, line, body.removesuffix("\r"))

    def _one(self, upto_hour: str, ms: str, ampm: str | None, line: int, body: str):
        """One message, its body without the line break (and carriage return) ending it."""
        if "\r" in body:
            body = body.replace("\r\n", "\n")
        max_line = self.limits.max_line_chars
        if len(body) > max_line and any(len(part) > max_line for part in body.split("\n")):
            raise ParseError(self.file_name, f"line {line}", "A line is too long.",
                             "line_too_long")  # fmt: skip
        timestamp = self.moments.at(upto_hour, ms, ampm, line)
        platform = self.layout.platform
        if self.index == 0 and (name := chat_name(body, platform)):
            self.chat_names.add(name)
        author, text = split_author(body, platform, self.authors, self.chat_names)
        kind, text, attachments = classify(author, text, self.members, self.chat)
        if author is not None and kind is not Kind.SYSTEM:
            self.authors.add(author)
        message = ParsedMessage(
            self.index, f"line {line}", timestamp, author if kind is not Kind.SYSTEM else None,
            text, kind, "", None, attachments,
        )  # fmt: skip
        self.index += 1
        return message


def _first_line_marker(text: str) -> bool:
    """ "<Media omitted>" or "null" with a caption on the next line."""
    first = text[: text.find("\n")].strip()
    return len(first) in MARKER_LENGTHS and first.lower() in MARKER_TEXTS
