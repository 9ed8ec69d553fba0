"""structlog setup: pretty lines in development, one JSON object per line in production.

Nothing private reaches a log line. Exceptions are rendered with their type and their frames
(file, line, function) only: never their text, which may quote a message body, a filename or
a token, and never local variables. A :class:`~balie.errors.BalieError` adds its stable
``code``. Tokens in URL paths and every query string are masked in the event text, so
Django's "Internal Server Error: /path" and "Not Found: /path" lines carry no secret.
"""

from __future__ import annotations

import re
import sys
import traceback
from types import TracebackType
from typing import Any

import structlog

from balie.errors import BalieError

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

MAX_CHAIN = 5  # causes and contexts shown per exception

# Path segments that are secrets: an import's review token, a signed attachment link.
_TOKEN_PATHS = [
    re.compile(r"(/console/[^/\s]+/imports/)[^/\s?#]+"),
    re.compile(r"(/c/a/)[^/\s?#]+"),
]
_QUERY = re.compile(r"\?[^\s\"']+")


def mask_url_text(text: str) -> str:
    """``text`` with path tokens and every query string replaced by ``***``."""
    for pattern in _TOKEN_PATHS:
        text = pattern.sub(r"\1***", text)
    return _QUERY.sub("?***", text)


def _exc_info(value: Any) -> ExcInfo | None:
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if value is True:
        value = sys.exc_info()
    if isinstance(value, tuple) and len(value) == 3 and value[1] is not None:
        return value
    return None


def _describe(error: BaseException) -> dict[str, Any]:
    kind = type(error)
    described: dict[str, Any] = {"type": f"{kind.__module__}.{kind.__qualname__}"}
    if isinstance(error, BalieError):
        described["code"] = error.code
    described["frames"] = [
        {"file": frame.filename, "line": frame.lineno, "function": frame.name}
        for frame in traceback.extract_tb(error.__traceback__)
    ]
    return described


def describe_exception(error: BaseException) -> list[dict[str, Any]]:
    """The chain of ``error`` (oldest first, as Python prints it): type, code, frames."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < MAX_CHAIN:
        seen.add(id(current))
        chain.insert(0, _describe(current))
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return chain


def render_exception_text(chain: list[dict[str, Any]]) -> str:
    """A Python-like traceback without the exception's text."""
    parts = []
    for described in chain:
        lines = ["Traceback (most recent call last):"]
        lines += [
            f'  File "{f["file"]}", line {f["line"]}, in {f["function"]}'
            for f in described["frames"]
        ]
        code = f" (code {described['code']})" if "code" in described else ""
        lines.append(f"{described['type']}{code}")
        parts.append("\n".join(lines))
    return "\n\nThe above exception led to the following one:\n\n".join(parts)


def private_exceptions(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Replace ``exc_info`` by ``exception``: type and frames, no text, no locals."""
    info = _exc_info(event_dict.pop("exc_info", None))
    if info is not None:
        event_dict["exception"] = describe_exception(info[1])
    if isinstance(event_dict.get("event"), str):
        event_dict["event"] = mask_url_text(event_dict["event"]).rstrip()
    return event_dict


def _text_exception(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    if isinstance(event_dict.get("exception"), list):
        event_dict["exception"] = render_exception_text(event_dict["exception"])
    return event_dict


_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

structlog.configure(
    processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def formatter_factory(fmt: str = "console") -> structlog.stdlib.ProcessorFormatter:
    """JSON keeps the exception as data (type, code, frames); console as a short traceback."""
    processors: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    processors.append(private_exceptions)
    if fmt == "json":
        processors.append(structlog.processors.JSONRenderer())
    else:
        processors += [
            _text_exception,
            # plain_traceback is never reached (exc_info is gone); it stops rich's locals.
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        ]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_SHARED, processors=processors)


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """Django's ``LOGGING``: Balie's, Django's and the task worker's loggers all write through
    the private formatter above (``fmt``: "console" or "json"; ``level``: Balie's own)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structlog": {"()": "balie.conf.logging.formatter_factory", "fmt": fmt}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "balie": {"handlers": ["console"], "level": level, "propagate": False},
            "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            # Replaces Django's defaults: its plain console handler (with BALIE_DEBUG) prints
            # exception texts, and mail_admins would mail request bodies.
            "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
