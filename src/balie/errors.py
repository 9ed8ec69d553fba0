"""One error base for every domain error Balie raises.

Every error carries a stable ``code`` for programs, an HTTP ``status`` and a translatable
``message`` for people (Dutch by default, English through gettext), and may name the request
``field`` it is about. Raise with a lazy text and its placeholders apart, so the surface shows
it in the language of the person who reads it::

    raise ActionError("too_long", _("At most %(limit)s characters."), params={"limit": 4000})
 Each surface maps a :class:`BalieError` in one place: the API's
exception handler (:mod:`balie.api.errors`), the console's JSON views
(:mod:`balie.web.console.jsonviews`) and the socket consumers
(:mod:`balie.realtime.protocol`). A new error is a subclass here or in its package, never a
new mapping at a call site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

__all__ = [
    "BalieError",
    "Conflict",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "TooLarge",
    "TooMany",
]

# A plain or a lazily translated text. The module imports nothing from Django, so that the
# pure libraries (balie.pii) share the one error base; a lazy text becomes a string by str().
if TYPE_CHECKING:
    from django.utils.functional import Promise

    Text = str | Promise
else:
    Text = str


class BalieError(Exception):
    """Base of every domain error: ``code``, ``status``, ``message`` and ``field``."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"
    default_message: ClassVar[Text] = ""

    def __init__(
        self,
        code: str | None = None,
        message: Text | None = None,
        *,
        field: str | None = None,
        status: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self._message = message if message is not None else self.default_message
        self.params = params or {}
        self.field = field
        if status is not None:
            self.status = status  # type: ignore[misc]
        super().__init__(self.code)

    @property
    def message(self) -> str:
        """The message in the active language, its ``%(name)s`` placeholders filled from
        ``params`` (so a lazily translated text is formatted only when it is shown)."""
        text = str(self._message)
        return text % self.params if self.params else text

    @property
    def detail(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message or self.code

    def as_dict(self) -> dict[str, Any]:
        """``{"code", "detail", "fields"}``: the shape every surface answers with."""
        problem = {"code": self.code, "detail": self.message}
        return {
            "code": self.code,
            "detail": self.message,
            "fields": {self.field: [problem]} if self.field else {},
        }


class Invalid(BalieError, ValueError):
    """Input refused (400)."""

    status = 400
    default_code = "invalid"


class NotFound(BalieError, LookupError):
    """Not there, or not for this actor's eyes: the two are never told apart (404)."""

    status = 404
    default_code = "not_found"


class NotAllowed(BalieError, PermissionError):
    """The actor sees it but may not do this (403)."""

    status = 403
    default_code = "permission_denied"


class Conflict(BalieError):
    """The request collides with what is stored (409)."""

    status = 409
    default_code = "conflict"


class TooLarge(BalieError, ValueError):
    """Over a size limit (413)."""

    status = 413
    default_code = "too_large"


class TooMany(BalieError):
    """Over a rate limit or a quota (429); ``retry_after``: seconds until it may be tried
    again, or None when waiting alone does not help (a quota: send or remove first)."""

    status = 429
    default_code = "rate_limited"

    def __init__(self, *args: Any, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after
