"""The console's language: Dutch unless the user chose English with the switch in the header.

The choice is kept in the session (``SESSION_KEY``) and outlives logging out;
``ConsoleLanguageMiddleware`` (balie.web.middleware) activates it for every console request,
so templates (``{% translate %}``), views (``gettext``) and the JavaScript catalogue
(``console:jsi18n``) all speak it. The texts are in ``src/balie/locale`` (docs/i18n.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
SESSION_KEY = "console_language"


def language_of(request) -> str:
    language = request.session.get(SESSION_KEY)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def other_language(language: str) -> dict:
    """The language the switch offers: its code and its name in itself ("English")."""
    other = next(code for code in LANGUAGES if code != language)
    return get_language_info(other)
