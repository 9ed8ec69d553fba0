"""The new text of a reply, without the history it quotes.

A reply usually repeats the earlier mails below an attribution line ("Op … schreef …:",
"On … wrote:", "Am … schrieb …:", Outlook's "-----Oorspronkelijk bericht-----" or its
"Van: … Verzonden: …" block) or as lines starting with ">". Those messages are already in
the conversation, so only the text above is stored. Nothing is cut when it would leave
nothing, nor when quoted lines and new text alternate (an answer between the quoted
lines needs them), nor from a forwarded message, whose quoted part is the content.
"""

from __future__ import annotations

import re

__all__ = ["trim_quoted"]

_ATTRIBUTION = re.compile(
    r"^(?:"
    r"op\b.{3,250}\b(?:schreef|heeft\b.{0,120}\bgeschreven)\b.{0,150}:"  # Dutch
    r"|on\b.{3,250}\bwrote:"  # English
    r"|am\b.{3,250}\bschrieb\b.{0,150}:"  # German
    r"|le\b.{3,250}\ba écrit\s?:"  # French
    r"|el\b.{3,250}\bescribió:"  # Spanish
    r"|.{3,250}\btarihinde\b.{0,200}\byazdı:"  # Turkish
    r"|w dniu\b.{3,250}\b(?:napisał|napisała|pisze)\b.{0,100}:"  # Polish
    r"|.{3,250}\s كتب\s?.{0,150}:"  # Arabic
    r"|-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|"
    r"ursprüngliche nachricht|message d'origine|mensaje original|orijinal ileti)\s*-{2,}"
    r")\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"^\*?(?:from|van|von|de|gönderen|od|من)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\*?(?:sent|date|verzonden|datum|gesendet|envoyé|tarih|wysłano|to|aan|an|à)\s*:",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|doorgestuurd bericht|weitergeleitete nachricht|"
    r"message transféré|mensaje reenviado|iletilen ileti|wiadomość przekazana)|"
    r"begin forwarded message:|begin doorgestuurd bericht:)",
    re.IGNORECASE,
)


def _attribution_at(lines: list[str], i: int) -> bool:
    """Whether line ``i`` starts the history (an attribution may wrap over three lines)."""
    line = lines[i].strip()
    if not line:
        return False
    for width in (1, 2, 3):
        joined = " ".join(part.strip() for part in lines[i : i + width])
        if _ATTRIBUTION.match(joined):
            return True
    if _HEADER_BLOCK.match(line) or (line.startswith("_" * 20) and i + 1 < len(lines)):
        following = [part.strip() for part in lines[i + 1 : i + 5]]
        return any(_HEADER_NEXT.match(part) for part in following)
    return False


def trim_quoted(text: str) -> tuple[str, bool]:
    """``(new text, whether history was left out)``."""
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if _FORWARD.match(lines[i]):
            return text, False  # what follows is the forwarded mail: the content
        if _attribution_at(lines, i):
            kept = "\n".join(lines[:i]).rstrip()
            if kept.strip():
                return kept, True
            break
    last_new = max((i for i, line in enumerate(lines) if line.strip() and not _QUOTED.match(line)),
                   default=-1)  # fmt: skip
    tail = lines[last_new + 1 :]
    if last_new <= 2 and _attribution_at(lines, 0):
        return text, False  # nothing but the attribution would be left
    quoted_tail = last_new >= 0 and any(_QUOTED.match(line) for line in tail)
    if quoted_tail and not any(_QUOTED.match(line) for line in lines[: last_new + 1]):
        return "\n".join(lines[: last_new + 1]).rstrip(), True
    return text, False
