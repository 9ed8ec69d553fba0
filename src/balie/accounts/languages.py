"""The language a member of staff chose for the console: Dutch unless they switched.

The choice is kept in the session under ``SESSION_KEY`` (it outlives logging out). The
console's pages (``balie.web.console.language``) and the staff socket (error frames) read it
here, so both speak the same language.
"""

from __future__ import annotations

from django.conf import settings

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
SESSION_KEY = "console_language"


def chosen_language(session) -> str:
    """The language kept in ``session`` (a Django session, or None), else the default."""
    language = session.get(SESSION_KEY) if session is not None else None
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
