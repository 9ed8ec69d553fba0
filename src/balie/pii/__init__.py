"""Balie's detector of personal data in Dutch chat text: a pure library, no Django.

One public function, :func:`detect` (and :func:`detect_all` for the texts of one request)::

    >>> from balie.pii import detect
    >>> [(s.category, s.ground) for s in detect("Mijn BSN is 111222333")]
    [('bsn', '5.1.1e')]

What is found, how, and how to extend the lists: docs/guides/privacy-detection.md.
"""

from __future__ import annotations

from .context import Context, ContextError, Participant
from .detector import detect, detect_all
from .spans import CATEGORIES, DEFAULT_GROUNDS, Span

__all__ = [
    "CATEGORIES",
    "DEFAULT_GROUNDS",
    "Context",
    "ContextError",
    "Participant",
    "Span",
    "detect",
    "detect_all",
]
