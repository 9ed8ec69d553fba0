"""What both WebSocket consumers share: JSON framing, errors, and de-duplicated delivery.

Frames are JSON objects with a ``type``. See ``docs/realtime.md`` for every frame.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from balie.conf import metrics
from balie.conversations.actions.checks import MAX_INT, check_json
from balie.errors import BalieError, Invalid

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
# Close code asking the page to reconnect and resume (RFC 6455 "service restart"): a node
# that stops, or lost the events of other nodes for a while.
SERVICE_RESTART = 1012
REPLAY_LIMIT = 500  # messages per ready/replay/subscribed frame; more pages follow
# What a socket answers when a handler fails unexpectedly: nothing of the internals.
INTERNAL_ERROR = _("Something went wrong. Please try again.")


class ProtocolError(Invalid):
    """A frame the socket cannot use: ``ProtocolError(code, detail)``."""


class JsonConsumer(AsyncWebsocketConsumer):
    """Parses frames, answers bad input with an ``error`` frame, never crashes on it."""

    # Sliding window rate limit per socket: at most rate_limit() frames per RATE_WINDOW seconds.
    RATE_WINDOW = 10.0

    def rate_limit(self) -> int:
        raise NotImplementedError

    async def check_limits(self, frame: dict[str, Any]) -> None:
        """Limits shared with this client's other sockets (``conversations.limits``): raise
        their ``RateLimited`` and the frame is answered with an error, not handled."""

    async def dispatch(self, message):
        """Like Channels' dispatch, minus its per-event ``aclose_old_connections`` thread hop:
        every database call here goes through ``database_sync_to_async``, which already
        closes stale connections in the thread that owns them."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def language(self) -> str:
        """The language of this socket's error frames: the default unless the reader chose."""
        return settings.LANGUAGE_CODE

    async def websocket_connect(self, message):
        self._frame_times: list[float] = []
        await super().websocket_connect(message)

    # --- balie_open_sockets: counted when accepted, uncounted once when it ends ---------
    socket_kind = ""  # the gauge's label; empty: the class name ("ResidentConsumer": resident)

    def kind(self) -> str:
        return self.socket_kind or type(self).__name__.removesuffix("Consumer").lower()

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # also when disconnect() failed or the server cancelled the consumer
            self._uncount()

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        if not getattr(self, "_counted", False):
            self._counted = True
            metrics.OPEN_SOCKETS.labels(kind=self.kind()).inc()

    async def websocket_disconnect(self, message):
        self._uncount()  # closed now, though disconnect() may still be cleaning up
        await super().websocket_disconnect(message)

    def _uncount(self) -> None:
        if getattr(self, "_counted", False):
            self._counted = False
            metrics.OPEN_SOCKETS.labels(kind=self.kind()).dec()

    async def balie_resync(self, message):
        """This node's link to the other nodes was lost and is back (``realtime.layers``):
        events may have been missed, so the page reconnects and resumes from its last seq."""
        await self.close(code=SERVICE_RESTART)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = self._parse(text_data, bytes_data)
            self._rate_limit()
            check_json(frame)  # every field of every frame, before any handler sees it
            await self.check_limits(frame)
            handler = getattr(self, f"on_{frame['type']}", None)
            if handler is None:
                raise ProtocolError(
                    "unknown_type",
                    _("Unknown message type %(type)s."),
                    params={"type": repr(frame["type"])},
                )
            await handler(frame)
        except BalieError as error:  # the sockets' one mapping of domain errors
            await self._send_error(error.code, error, text_data)
        except Exception:  # a bug, not the client's: logged with its traceback, socket stays open
            logger.exception("socket frame failed", extra={"consumer": type(self).__name__})
            await self._send_error("internal_error", INTERNAL_ERROR, text_data)

    async def _send_error(self, code: str, error: BalieError | Promise, text_data) -> None:
        with translation.override(self.language()):
            detail = error.message if isinstance(error, BalieError) else str(error)
        frame = {"type": "error", "code": code, "detail": detail, "ref": _ref(text_data)}
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            frame["retry_after"] = retry_after
        await self.send_frame(frame)

    def _parse(self, text_data, bytes_data) -> dict[str, Any]:
        if text_data is None:
            raise ProtocolError("binary_not_supported", _("Only text frames (JSON) are supported."))
        if len(text_data) > MAX_FRAME_BYTES:
            raise ProtocolError("frame_too_large", _("The message is too large."))
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):
            raise ProtocolError("malformed_json", _("This is not valid JSON.")) from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise ProtocolError("malformed_frame", _("A message is a JSON object with a 'type'."))
        return frame

    def _rate_limit(self) -> None:
        now = time.monotonic()
        self._frame_times = [t for t in self._frame_times if now - t < self.RATE_WINDOW]
        if len(self._frame_times) >= self.rate_limit():
            raise ProtocolError(
                "rate_limited", _("You are sending too many messages. Wait a moment.")
            )
        self._frame_times.append(now)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))


def _ref(text_data) -> str | None:
    """Echo the client's ``ref`` (if any) so it can match an error to its request."""
    if not text_data or len(text_data) > MAX_FRAME_BYTES:
        return None
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError):
        return None
    ref = frame.get("ref") if isinstance(frame, dict) else None
    return ref if isinstance(ref, str) and len(ref) <= 64 else None


class DeliveredSeqs:
    """Sequences already sent on one socket for one conversation: no duplicate delivery.

    Replay and live fan-out can overlap around a (re)subscribe; acknowledgements jump ahead
    of older messages still in flight, so a plain high-water mark would drop those.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._floor = 0  # everything <= floor counts as delivered

    def add(self, seq: int) -> bool:
        """Record ``seq``; False if it was delivered before."""
        if seq <= self._floor or seq in self._seen:
            return False
        self._seen.add(seq)
        # Compact the contiguous run above the floor.
        while self._floor + 1 in self._seen:
            self._floor += 1
            self._seen.discard(self._floor)
        if len(self._seen) > 5000:  # residents never see notes, so gaps stay: bound memory
            self.mark_through(max(self._seen) - 1000)
        return True

    def mark_through(self, seq: int) -> None:
        """The client says it holds everything up to ``seq``."""
        if seq > self._floor:
            self._floor = seq
            self._seen = {s for s in self._seen if s > seq}


def field_int(value, name: str) -> int:
    """A frame field that must be a whole number of 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise ProtocolError(
            "invalid_field",
            _("'%(name)s' must be a whole number of 0 or more."),
            params={"name": name},
        )
    return value
