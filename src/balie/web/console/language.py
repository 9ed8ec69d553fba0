"""The console's language: Dutch unless the user chose English with the switch in the header.

The choice is kept in the session (``SESSION_KEY``, from ``balie.accounts.languages``, which
the staff socket reads too) and outlives logging out;
``ConsoleLanguageMiddleware`` (balie.web.middleware) activates it for every console request,
so templates (``{% translate %}``), views (``gettext``) and the JavaScript catalogue
(``console:jsi18n``) all speak it. The texts are in ``src/balie/locale`` (docs/i18n.md).
"""

from __future__ import annotations

from django.utils.translation import get_language_info

from balie.accounts.languages import DEFAULT_LANGUAGE, LANGUAGES, SESSION_KEY, chosen_language

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "SESSION_KEY", "language_of", "other_language"]


def language_of(request) -> str:
    return chosen_language(request.session)


def other_language(language: str) -> dict:
    """The language the switch offers: its code and its name in itself ("English")."""
    other = next(code for code in LANGUAGES if code != language)
    return get_language_info(other)
