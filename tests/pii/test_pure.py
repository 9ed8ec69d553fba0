"""``balie.pii`` stands alone: no Django, no database, no settings; a small public surface."""

from __future__ import annotations

import subprocess
import sys

import balie.pii


def test_public_surface():
    assert sorted(balie.pii.__all__) == sorted(
        [
            "CATEGORIES",
            "DEFAULT_GROUNDS",
            "Context",
            "ContextError",
            "Participant",
            "Span",
            "detect",
            "detect_all",
        ]
    )


def test_detecting_imports_no_django():
    code = (
        "import sys; from balie.pii import detect; "
        "assert detect('mevrouw Bakker, 0612345678'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'deduce', 'docdeid')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})
