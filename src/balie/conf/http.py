"""Calling services Balie does not run: the publicatiebank, Open Klant, the Notificaties API,
Meta's Graph API, webhook receivers.

Every client gets its session from :func:`session` (Balie's ``User-Agent``, a timeout on
every call unless the call names its own) and follows no redirect unless it says so. What
goes wrong on the way becomes a domain error once:

- a failed connection, through :func:`transport_errors`: only the exception's name is kept,
  since its text may hold the address with its query (and so a token);
- an address the service answers with (a next page, a file part, an abonnement) is called
  only when :func:`inside` its configured base: same scheme, host and port, a path below;
- for a JSON API (:class:`RemoteApi`), a status other than 2xx, or an answer that is not
  JSON, is a :class:`RemoteError` with the remote status, the service's own short reason
  (:func:`remote_reason`) and whether trying again may help (:data:`RETRYABLE_STATUSES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from typing import Any, ClassVar, Self
from urllib.parse import SplitResult, urlsplit

import requests

from balie.errors import Conflict, Text

__all__ = [
    "RETRYABLE_STATUSES",
    "USER_AGENT",
    "RemoteApi",
    "RemoteError",
    "Session",
    "inside",
    "remote_reason",
    "session",
    "transport_errors",
]


def _version() -> str:
    try:
        return metadata.version("balie")
    except metadata.PackageNotFoundError:
        return "0.0.0"


USER_AGENT = f"Balie/{_version()}"  # name/1.2.3, as Meta's contract asks of its callers
# Statuses after which a later attempt may succeed; 501 and 505 will not pass by waiting.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DETAIL_LIMIT = 300
DEFAULT_PORTS = {"http": 80, "https": 443}

Timeout = float | tuple[float, float]  # seconds (to connect, between bytes of the answer)


class Session(requests.Session):
    """A ``requests`` session whose calls have ``timeout`` unless they name their own."""

    def __init__(self, timeout: Timeout) -> None:
        super().__init__()
        self.timeout = timeout

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


def session(
    *,
    timeout: Timeout,
    headers: Mapping[str, str] | None = None,
    user_agent: str = USER_AGENT,
    trust_env: bool = True,
) -> Session:
    """A session that says it is Balie and sends ``headers`` on every call. ``trust_env``:
    whether the environment's proxy and CA bundle settings apply (``HTTPS_PROXY``,
    ``REQUESTS_CA_BUNDLE``); off where the address that was checked must be the one
    connected to."""
    made = Session(timeout)
    made.trust_env = trust_env
    made.headers.update({"User-Agent": user_agent, **(headers or {})})
    return made


@contextmanager
def transport_errors(error: Callable[[str], Exception]) -> Iterator[None]:
    """Raise ``error(name)`` for a connection that failed, timed out or broke off, with the
    exception's name only: its text may hold the address with its query."""
    try:
        yield
    except requests.RequestException as failure:
        raise error(type(failure).__name__) from None


def inside(url: str, base: str) -> bool:
    """Whether ``url`` lies inside ``base``: the same scheme, host and port (the default
    port named or not), and a path below base's."""
    root, given = urlsplit(base.rstrip("/") + "/"), urlsplit(url)
    return _origin(given) == _origin(root) and given.path.startswith(root.path)


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def remote_reason(
    response: requests.Response,
    *,
    keys: tuple[str, ...] = ("title", "detail"),
    field_errors: bool = True,
) -> str:
    """The service's own short reason for refusing, on one line: the texts under ``keys``
    (a problem's ``title``/``detail``, DRF's ``detail``) and its ``invalidParams``, or, with
    ``field_errors``, DRF's errors per field; else the start of the answer's text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        reasons = [str(body[key]) for key in keys if isinstance(body.get(key), str)]
        for problem in body.get("invalidParams") or []:
            if isinstance(problem, dict):
                reasons.append(f"{problem.get('name')}: {problem.get('reason')}")
        if not reasons and field_errors:
            for field, errors in body.items():
                first = errors[0] if isinstance(errors, list) and errors else errors
                reasons.append(f"{field}: {first}")
        text = "; ".join(dict.fromkeys(reasons))
    else:
        text = response.text[:DETAIL_LIMIT]
    text = re.sub(r"<[^>]*>", " ", text)  # an HTML error page's tags
    text = re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()
    return text[:DETAIL_LIMIT] or response.reason or ""


class RemoteError(Conflict):
    """A service failed or refused a call: ``remote_status`` is its HTTP status (None when
    it did not answer), ``remote_detail`` its own short text, ``retryable`` whether a later
    attempt may succeed (no answer, a timeout, 5xx, 429).

    Each service derives its own, naming its codes' prefix (``service``: ``…_unreachable``,
    ``…_refused``, ``…_answer``, ``…_address``) and their ``messages`` through gettext; a
    code without a message of its own shows the ``default_code``'s."""

    default_code = "remote_refused"
    service: ClassVar[str] = "remote"
    messages: ClassVar[Mapping[str, Text]] = {}

    def __init__(
        self, code: str, *, remote_status: int | None = None, detail: str = "", retryable: bool
    ) -> None:
        super().__init__(
            code,
            self.messages.get(code, self.messages.get(self.default_code, "")),
            params={"status": remote_status or "-", "detail": detail or "-"},
        )
        self.remote_status = remote_status
        self.remote_detail = detail
        self.retryable = retryable

    @classmethod
    def unreachable(cls, name: str) -> Self:
        return cls(f"{cls.service}_unreachable", detail=name, retryable=True)

    @classmethod
    def refused(cls, status: int, detail: str) -> Self:
        return cls(
            f"{cls.service}_refused",
            remote_status=status,
            detail=detail,
            retryable=status in RETRYABLE_STATUSES,
        )

    @classmethod
    def not_understood(cls, what: str) -> Self:
        return cls(f"{cls.service}_answer", detail=what, retryable=True)

    @classmethod
    def outside(cls) -> Self:
        return cls(f"{cls.service}_address", retryable=False)


class RemoteApi:
    """One connection to a JSON API at ``base_url``: calls through one session, following
    no redirect, failing as ``error``. A client derives from it and adds its API's calls;
    ``reason_keys`` and ``field_errors`` say where its refusals give their reason."""

    error: ClassVar[type[RemoteError]] = RemoteError
    reason_keys: ClassVar[tuple[str, ...]] = ("title", "detail")
    field_errors: ClassVar[bool] = True

    def __init__(self, base_url: str, *, headers: Mapping[str, str], timeout: Timeout) -> None:
        self.base = base_url.rstrip("/")
        self._session = session(timeout=timeout, headers={"Accept": "application/json", **headers})

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._session.close()

    def require_inside(self, url: str) -> None:
        """Refuse an address the API answered with that lies outside it: the credentials
        never go anywhere else."""
        if not inside(url, self.base):
            raise self.error.outside()

    def _send(
        self, method: str, url: str, *, missing_ok: bool = False, **kwargs: Any
    ) -> requests.Response | None:
        """The 2xx answer, or None for a 404 when ``missing_ok`` (a thing already gone)."""
        with transport_errors(self.error.unreachable):
            response = self._session.request(method, url, allow_redirects=False, **kwargs)
        if missing_ok and response.status_code == 404:
            return None
        if not 200 <= response.status_code < 300:
            detail = remote_reason(response, keys=self.reason_keys, field_errors=self.field_errors)
            raise self.error.refused(response.status_code, detail)
        return response

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The answer's JSON; None for no content (or a 404 when ``missing_ok``)."""
        response = self._send(method, url, **kwargs)
        if response is None or response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self.error.not_understood("JSON") from None

    def _object(self, method: str, url: str, **kwargs: Any) -> dict[str, Any] | None:
        """The answer's JSON object; None for no content (or a 404 when ``missing_ok``)."""
        answer = self._json(method, url, **kwargs)
        if answer is not None and not isinstance(answer, dict):
            raise self.error.not_understood("JSON")
        return answer

    def _pages(self, url: str, params: dict[str, str], *, most: int) -> Iterator[dict[str, Any]]:
        """The ``results`` of a paged list, following ``next`` (inside the API only) for at
        most ``most`` pages."""
        following: str | None = url
        query: dict[str, str] | None = params
        for _page in range(most):
            if following is None:
                return
            answer = self._object("GET", following, params=query) or {}
            results = answer.get("results")
            if not isinstance(results, list):
                raise self.error.not_understood("results")
            yield from (item for item in results if isinstance(item, dict))
            link = answer.get("next")
            # The next page's address holds the query too.
            following, query = (link if isinstance(link, str) and link else None), None
            if following is not None:
                self.require_inside(following)
