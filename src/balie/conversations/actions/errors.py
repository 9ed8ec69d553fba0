"""The error every action raises for input it refuses."""

from __future__ import annotations

from balie.errors import Invalid


class ActionError(Invalid):
    """Input that an action refuses: ``ActionError(code, message)``, answered with 400."""
