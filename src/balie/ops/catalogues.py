"""Compiling the gettext catalogues (``.po`` → ``.mo``) in Python, without GNU gettext.

The ``.mo`` files are build output, not in git: ``make`` compiles them at install and before
the tests, a deployment with ``balie compilemessages`` (decision 0019, docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polib


def catalogue_paths(locale_dirs: Iterable[Path]) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/<domain>.po`` under the locale directories."""
    return sorted(path for root in locale_dirs for path in Path(root).glob("*/LC_MESSAGES/*.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write the ``.mo`` beside ``po_path``; fuzzy and untranslated entries are left out."""
    catalogue = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    return mo_path
