"""An HTML mail as plain text that staff can read safely.

Only text leaves here: the standard library's ``html.parser`` reads the markup and nothing
of it is kept or run. Scripts, styles, the head, embedded objects and text hidden from the
reader (``hidden``, ``display:none``, ``visibility:hidden``, a zero font size, height or
opacity, ``mso-hide:all``: a mail's invisible "preheader", or text meant to mislead) are
left out. Paragraphs, headings, line breaks, list items and table rows keep their line
breaks; list items start with "- " (or their number), quoted parts (``<blockquote>``) with
"> ", so that :mod:`balie.connectors.email.quoting` can recognise the history. Entities are
decoded. A link's address follows its text when it is a web or mail address that the text
does not already show; other links (``javascript:`` and the like) keep only their text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

MAX_HTML_CHARS = 1_000_000  # read at most this much markup (a larger mail is cut off)
MAX_DEPTH = 400  # open elements tracked; deeper nesting is read as flat

_SKIPPED = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "object", "embed",
     "iframe", "frame", "frameset", "applet", "svg", "math", "select", "button", "audio",
     "video", "canvas", "map"}
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "keygen", "command", "basefont", "frame"}
)  # fmt: skip
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "dl"})
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dt",
     "fieldset", "figcaption", "figure", "footer", "form", "header", "li", "main", "nav",
     "ol", "section", "summary", "tr", "ul", "caption", "body", "html", "tbody", "thead",
     "tfoot", "hr", *_PARAGRAPHS}
)  # fmt: skip
_HIDING = re.compile(
    r"display:none|visibility:hidden|visibility:collapse|mso-hide:all|"
    r"(?:^|;)font-size:0(?:[a-z%]*)?(?:;|$|!)|(?:^|;)opacity:0?\.?0*(?:;|$|!)|"
    r"(?:^|;)(?:max-)?(?:height|width):0(?:[a-z%]*)?(?:;|$|!)"
)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINK = re.compile(r"^(?:https?://|mailto:)[^\s\x00-\x1f\x7f]{1,500}$", re.IGNORECASE)


def _hides(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "style" and value:
            style = "".join(_CSS_COMMENT.sub("", value).lower().split())
            if _HIDING.search(style):
                return True
    return False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self._line: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, hides its content)
        self._pre = 0
        self._quote = 0
        self._lists: list[int] = []  # per open list: 0 for ul, the next number for ol
        self._link: tuple[str, list[str]] | None = None

    # -- the tree --------------------------------------------------------------------------
    @property
    def _hidden(self) -> bool:
        return any(hides for _, hides in self._stack)

    def _close_implied(self, tag: str) -> None:
        tops = {"li": ("li",), "td": ("td", "th"), "th": ("td", "th"), "tr": ("tr", "td", "th")}
        if tag in tops:
            while self._stack and self._stack[-1][0] in tops[tag]:
                self._end(self._stack[-1][0])
        elif tag in _BLOCKS and self._stack and self._stack[-1][0] == "p":
            self._end("p")
        elif tag == "body" and any(t == "head" for t, _ in self._stack):
            self._end("head")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        hides = tag in _SKIPPED or _hides(attrs)
        if tag not in _VOID and len(self._stack) < MAX_DEPTH:
            self._stack.append((tag, hides))
            self._opened(tag, attrs)
        elif not hides and not self._hidden:
            self._void(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._hidden and not _hides(attrs):
            self._void(tag)

    def handle_endtag(self, tag: str) -> None:
        if any(t == tag for t, _ in self._stack):
            self._end(tag)
        elif tag in ("p", "br") and not self._hidden:  # "</p>" and "</br>" alone: a break
            self._break()

    def _end(self, tag: str) -> None:
        while self._stack:
            top, _hides_it = self._stack.pop()
            self._closed(top)
            if top == tag:
                return

    # -- what each element writes ----------------------------------------------------------
    def _opened(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            self._break()
            self._quote += 1
        elif tag == "pre":
            self._pre += 1
        elif tag in ("ul", "ol"):
            self._lists.append(1 if tag == "ol" else 0)
        if self._hidden:
            return
        if tag in _PARAGRAPHS:
            self._paragraph()
        elif tag == "li":
            self._break()
            number = self._lists[-1] if self._lists else 0
            if number:
                self._lists[-1] += 1
            self._line.append(f"{number}. " if number else "- ")
        elif tag in _BLOCKS:
            self._break()
        elif tag in ("td", "th") and self._line:
            self._line.append("  ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._link = (href.strip(), [])

    def _closed(self, tag: str) -> None:
        if tag == "blockquote":
            self._break()
            self._quote = max(0, self._quote - 1)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag == "a" and self._link is not None:
            href, seen = self._link
            self._link = None
            shown = "".join(seen)
            address = href[7:] if href.lower().startswith("mailto:") else href
            if _LINK.match(href) and address not in shown and not self._hidden:
                self._line.append(f" ({address})")
        if not self._hidden:
            if tag in _PARAGRAPHS:
                self._paragraph()
            elif tag in _BLOCKS:
                self._break()
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def _void(self, tag: str) -> None:
        if tag == "br":
            self._break(force=True)
        elif tag == "hr":
            self._break()
            self._line.append("---")
            self._break()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._break(force=True)
                self._line.append(part)
        else:
            text = " ".join(data.split())
            if data[:1].isspace() and text:
                text = " " + text
            if data[-1:].isspace() and text:
                text += " "
            if not text and data:
                text = " "
            self._line.append(text)
        if self._link is not None:
            self._link[1].append(data)

    # -- lines -----------------------------------------------------------------------------
    def _break(self, *, force: bool = False) -> None:
        text = "".join(self._line)
        text = text.rstrip() if self._pre else " ".join(text.split())
        self._line = []
        if text or force:
            self.lines.append((self._quote, text))

    def _paragraph(self) -> None:
        self._break()
        if self.lines and self.lines[-1][1]:
            self.lines.append((self._quote, ""))

    def text(self) -> str:
        self._break()
        out: list[str] = []
        for depth, line in self.lines:
            line = ("> " * depth + line).rstrip() if depth else line
            if not line.strip() and (not out or not out[-1].strip()):
                continue  # one blank line at most, none at the start
            out.append(line)
        return "\n".join(out).strip()


def html_to_text(markup: str) -> str:
    """The readable text of ``markup``, as described in the module's docstring."""
    reader = _Reader()
    reader.feed(markup[:MAX_HTML_CHARS])
    reader.close()
    return reader.text()
