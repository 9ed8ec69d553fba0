"""WhatsApp's "Export chat": a ``.txt``, or a ``.zip`` holding it and the media files.

Layouts (each line that starts a message has a header; other lines continue the message):

- Android: ``15-01-2024 21:05 - Jan: Hallo`` (Dutch), ``15/01/2024, 21:05 - …`` (UK),
  ``1/15/24, 9:05 PM - …`` (US), ``15.01.24, 21:05 - …`` (German), ``15/01/2024 à 21:05 - …``
  (French), ``15/1/24, 9:05 p. m. - …`` (Spanish), ``2024/01/15 9:05 - …`` (Japanese),
  ``١٥‏/١‏/٢٠٢٤، ٩:٠٥ م - …`` (Arabic: Arabic-Indic or Persian digits, U+200F, the Arabic
  comma); a line without "author: " is a system line.
- iOS: ``[15-01-2024 21:05:33] Jan: Hallo``, ``[1/15/24, 9:05:33 PM] Jan: …``,
  ``[15. 1. 2024 21:05:33] …`` (Czech), the time first ``[14:56:01, 3/18/22] …``, and before
  2017 without brackets ``7/1/16, 4:56:55 PM: Jan: …`` or ``13/06/15 10:59:59: Jan: …``.
  Lines often start with U+200E; WhatsApp's own lines carry the chat's name as author,
  followed by ": U+200E".
- 12-hour clocks: AM/PM, ``a. m.``/``p. m.``, ``0:24 PM``, ``00:04 AM``, and 午前/午後, 오전/오후,
  上午/下午, ص/م, SA/CH after the time, or 午前/午後, 上午/下午 before the hour
  (``[2024/01/15 午後9:05:33]``). A Thai Buddhist year (2567) is read as 2024.

The header patterns (:mod:`.headers`) come in a plain form and a "wide" one (U+200F, spaces
in dates, the Arabic comma), chosen by which reads more of the first 50 lines: the plain form
keeps the large exports fast. A file none reads is "not a WhatsApp export"
(``not_whatsapp``), or, when a line looks like a date and a time, ``unsupported_layout``
naming that line.

Authors and markers (:mod:`.kinds`, :mod:`.languages`): a line with a sender header keeps its
sender, whatever its body; iOS system lines are told by structure first (the chat's name with
U+200E, the encryption notice as first line, no "name: "), by phrase second. Markers (media
omitted per kind, deleted, "(file attached)", ``<attached: …>``, locations, edited, captions
on the line after ``<Media omitted>`` or ``null``) are read in the 18 languages of
:mod:`.languages`: nl, en, de, fr, es, it, pt, tr, pl, cs, ru, uk, ar, hi, id, ja, th, vi.

The date order (day-month-year, month-day-year or year-month-day) is read from the whole
file: a field above 12 decides. When every date could be either, the caller must say
(``date_order``), else the parse stops with ``ambiguous_date_order``. Exports carry no time
zone: times are read in ``time_zone``.

The modules: ``export`` (the file or zip, read in blocks), ``headers`` (the header patterns,
the layout, the date order), ``messages`` (the messages of each block), ``kinds`` (author,
system lines, markers), ``languages`` (WhatsApp's words, one table per language),
``moments`` (timestamps).

Speed: the file is read twice in 4 MB blocks, once for the date order and once for the
messages; each time the headers are found by one regular expression per block, in C. Dates
and hours are parsed once per distinct value; plain text messages of known authors are built
in one short loop per block (see ``messages``); the language tables are joined once, at
import, into sets and compiled patterns.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from balie.imports.parsers.base import Limits, ParsedChat, ParseError, time_zone_of
from balie.imports.parsers.whatsapp.export import open_export
from balie.imports.parsers.whatsapp.headers import date_order as read_date_order
from balie.imports.parsers.whatsapp.headers import detect
from balie.imports.parsers.whatsapp.messages import Reader
from balie.imports.parsers.whatsapp.moments import Moments

__all__ = ["parse"]


def parse(
    source: str | Path | BinaryIO,
    *,
    file_name: str,
    time_zone: str = "Europe/Amsterdam",
    date_order: str | None = None,
    limits: Limits | None = None,
) -> ParsedChat:
    limits = limits or Limits()
    zone = time_zone_of(time_zone, file_name)
    if date_order not in (None, "dmy", "mdy", "ymd"):
        raise ParseError(file_name, "-", "date_order is dmy, mdy or ymd.", "bad_date_order")
    opener, members, title = open_export(source, file_name, limits)
    layout = detect(opener, file_name)
    order, clock = read_date_order(opener, layout, file_name, date_order)
    chat = ParsedChat(
        source="whatsapp",
        format=f"whatsapp/{layout.platform}/{clock}/{order}",
        title=title,
        time_zone=time_zone,
        messages=iter(()),
    )
    moments = Moments(order, zone, file_name, layout.time_first)
    reader = Reader(opener, layout, moments, members, chat, file_name, limits)
    chat.messages = reader.messages()
    return chat
