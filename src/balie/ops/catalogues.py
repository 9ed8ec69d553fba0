"""Compiling the gettext catalogues (``.po`` → ``.mo``) in Python, without GNU gettext.

The ``.mo`` files are build output, not in git: ``make`` compiles them at install and before
the tests, a deployment with ``balie compilemessages`` (decision 0019, docs/i18n.md). Django is
not needed: the Makefile runs ``python -m balie.ops.catalogues [DIR or FILE.po …]``, which
works even while the app itself would not start.
"""

from __future__ import annotations

import sys
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


def main(arguments: list[str]) -> None:
    """Compile the named ``.po`` files and every catalogue under the named directories."""
    targets = [Path(argument) for argument in arguments]
    paths = [path for path in targets if path.suffix == ".po"]
    paths += catalogue_paths(path for path in targets if path.is_dir())
    if not paths:
        raise SystemExit(f"no catalogues (.po) in {', '.join(arguments) or 'no arguments'}")
    for path in paths:
        compile_catalogue(path)


if __name__ == "__main__":
    main(sys.argv[1:])
