"""The error every action raises for input it refuses."""

from __future__ import annotations


class ActionError(ValueError):
    """Input that an action refuses. ``code`` is stable for clients; the message is Dutch."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
