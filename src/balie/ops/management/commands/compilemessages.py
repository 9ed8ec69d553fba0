"""``balie compilemessages [FILE.po …]``: the gettext catalogues to ``.mo``, in pure Python.

Takes the place of Django's command of the same name, which needs GNU gettext's ``msgfmt``
(absent on a fresh Debian machine). Without arguments it compiles every catalogue under
``LOCALE_PATHS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from balie.ops.catalogues import catalogue_paths, compile_catalogue


class Command(BaseCommand):
    help = "Compile the gettext catalogues (.po) to .mo files, without GNU gettext."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", help="catalogues to compile (default: all)")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        paths = [Path(name) for name in files] or catalogue_paths(settings.LOCALE_PATHS)
        if not paths:
            raise CommandError("No catalogues (.po) found under LOCALE_PATHS.")
        for path in paths:
            if path.suffix != ".po" or not path.is_file():
                raise CommandError(f"Not a catalogue: {path}")
            mo_path = compile_catalogue(path)
            if options["verbosity"] > 1:
                self.stdout.write(f"compiled {mo_path}")
