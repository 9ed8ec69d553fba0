"""The ``balie`` command: Balie's own commands (demo, serve, worker, …) and Django's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from balie.pii.cli import main as pii_main

# Commands whose name cannot be a Python module's, and Django's createsuperuser, which would
# skip the password validators when run with --noinput (Balie has no superusers).
ALIASES = {"import": "import_chats", "createsuperuser": "no_superusers"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "pii":
        # the detector needs no database, settings or Django: answer before loading them
        sys.exit(pii_main(argv[2:]))
    # --data-dir must be known before the settings are read.
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            os.environ["BALIE_DATA_DIR"] = argv[i + 1]
            del argv[i : i + 2]
            break
        if arg.startswith("--data-dir="):
            os.environ["BALIE_DATA_DIR"] = arg.split("=", 1)[1]
            del argv[i]
            break
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balie.conf.settings")
    Path(os.environ.get("BALIE_DATA_DIR", "data")).mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `balie settings-doc` runs settings_doc
        argv[1] = ALIASES.get(argv[1], argv[1])
    execute_from_command_line(["balie", *argv[1:]])


if __name__ == "__main__":
    main()
