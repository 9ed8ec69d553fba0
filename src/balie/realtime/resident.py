"""The resident's socket: one anonymous web chat, authenticated by the device token.

Frames in: ``hello``, ``start``, ``send``, ``typing``, ``read``. Out: ``ready``, ``started``,
``message``, ``ack``, ``typing``, ``read``, ``status``, ``error`` (docs/realtime.md).
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from balie.accounts.languages import LANGUAGES
from balie.conversations import actions, event_types, events, limits, selectors
from balie.conversations.models import Direction
from balie.realtime import writer
from balie.realtime.protocol import (
    REPLAY_LIMIT,
    DeliveredSeqs,
    JsonConsumer,
    ProtocolError,
    field_int,
)
from balie.tenants.selectors import organisation_by_slug

# Close code for a socket refused because its address holds too many (docs/realtime.md).
TOO_MANY_SOCKETS = 4429
# Frames that write messages: also counted per conversation.
MESSAGE_FRAMES = frozenset({"send", "edit", "delete"})


class ResidentConsumer(JsonConsumer):
    def rate_limit(self) -> int:
        return settings.RESIDENT_FRAMES_PER_10S

    async def connect(self):
        self.slug = self.scope["url_route"]["kwargs"]["organisation_slug"]
        self.conversation = None
        self.chosen_language = ""  # from the page (hello, start, language); else the chat's
        self.delivered = DeliveredSeqs()
        self.address = limits.address_scope(_client_address(self.scope))
        self.counted = await limits.open_socket(self.address, self.channel_name)
        await self.accept()  # then closed with a code the page can read (before: only 403)
        if not self.counted:
            await self.close(code=TOO_MANY_SOCKETS)

    async def check_limits(self, frame):
        """Per address always; per device token and conversation once the socket has one."""
        hits = [(limits.FRAMES_PER_IP, self.address, 1)]
        conversation = self.conversation
        if conversation is not None:
            hits.append((limits.FRAMES_PER_TOKEN, self.token_scope, 1))
            if frame["type"] in MESSAGE_FRAMES:
                scope = limits.conversation_scope(conversation.organisation_id, conversation.pk)
                hits.append((limits.MESSAGES_PER_CONVERSATION, scope, 1))
        await limits.acheck(hits)

    def language(self) -> str:
        """Error frames in the language the page shows: the one it last said, else the
        conversation's, else Dutch."""
        if self.chosen_language:
            return self.chosen_language
        return getattr(self.conversation, "language", None) or settings.LANGUAGE_CODE

    def _choose_language(self, frame) -> None:
        language = frame.get("language")
        if language in LANGUAGES:
            self.chosen_language = language

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            await limits.close_socket(self.address, self.channel_name)
        if self.conversation is not None:
            await self.channel_layer.group_discard(
                events.resident_group(self.conversation.pk), self.channel_name
            )

    # --- frames from the resident -------------------------------------------------------
    async def on_hello(self, frame):
        self._choose_language(frame)
        token, last_seq = frame.get("token"), field_int(frame.get("last_seq", 0), "last_seq")
        if token is None:
            await self.send_frame({"type": "ready", "conversation": None, "messages": []})
            return
        try:
            conversation = await database_sync_to_async(selectors.access_conversation_by_token)(
                self.slug, token
            )
        except selectors.ConversationNotFound:
            raise ProtocolError("unknown_token", _("This conversation was not found.")) from None
        await self._join(conversation)
        await self._replay(last_seq, "ready")

    async def on_language(self, frame):
        """The resident switched the page's language: later error frames follow it."""
        if frame.get("language") not in LANGUAGES:
            raise ProtocolError(
                "invalid_field",
                _("%(name)s is one of: %(choices)s."),
                params={"name": "language", "choices": ", ".join(LANGUAGES)},
            )
        self._choose_language(frame)

    async def on_resume(self, frame):
        """Fetch the next page after a ``ready``/``replay`` that said ``has_more``."""
        self._require_conversation()
        await self._replay(field_int(frame.get("last_seq", 0), "last_seq"), "replay")

    async def on_start(self, frame):
        self._choose_language(frame)
        if self.conversation is not None:
            raise ProtocolError("already_started", _("There already is a conversation."))
        language = frame.get("language", "nl")
        conversation, token = await database_sync_to_async(self._start)(
            language, frame.get("previous")
        )
        await self._join(conversation)
        await self.send_frame(
            {"type": "started", "token": token, "conversation": _conversation(conversation)}
        )

    def _start(self, language, previous):
        organisation = organisation_by_slug(self.slug)
        if organisation is None:
            raise ProtocolError("unknown_organisation", _("This municipality was not found."))
        if not _allow_new_chat(self.address):
            raise ProtocolError(
                "too_many_chats",
                _("You have just started many conversations. Try again later."),
            )
        return actions.do_start_webchat(
            organisation, language=str(language), previous_token=previous
        )

    async def on_send(self, frame):
        conversation = self._require_conversation()
        request = writer.SendRequest(
            conversation_id=conversation.pk,
            direction=Direction.INBOUND,
            body=frame.get("body", ""),
            client_id=frame.get("client_id"),
            attachment_ids=frame.get("attachments", []),
            for_resident=True,
        )
        outcome = await writer.submit(request)
        self.delivered.add(outcome.result.message.seq)
        await self.send_frame(
            event_types.ack_event(outcome.payload, duplicate=not outcome.result.created)
        )

    async def on_edit(self, frame):
        await self._change(frame, actions.do_edit_message, body=frame.get("body"))

    async def on_delete(self, frame):
        await self._change(frame, actions.do_delete_message)

    async def _change(self, frame, action, **kwargs):
        conversation = self._require_conversation()

        def change():
            action(selectors.message_in(conversation, frame.get("message")), actor=None, **kwargs)

        await database_sync_to_async(change)()
        # The change reaches this socket like every other one: as message_updated, after commit.

    async def on_typing(self, frame):
        conversation = self._require_conversation()
        await events.asend_event(
            event_types.typing_event(conversation.pk, side="resident"),
            [events.staff_group(conversation.pk)],
        )

    async def on_read(self, frame):
        conversation = self._require_conversation()
        seq = field_int(frame.get("seq"), "seq")
        await database_sync_to_async(actions.do_mark_read)(conversation, side="resident", seq=seq)

    # --- events from the channel layer --------------------------------------------------
    async def balie_event(self, message):
        event = message["event"]
        if event["type"] == "message" and not self.delivered.add(event["message"]["seq"]):
            return
        if event["type"] == "typing" and event.get("side") == "resident":
            return
        await self.send_frame(event)

    # --- helpers -------------------------------------------------------------------------
    def _require_conversation(self):
        if self.conversation is None:
            raise ProtocolError("not_ready", _("Send 'hello' or 'start' first."))
        return self.conversation

    async def _join(self, conversation):
        if self.conversation is not None and self.conversation.pk != conversation.pk:
            await self.channel_layer.group_discard(
                events.resident_group(self.conversation.pk), self.channel_name
            )
            self.delivered = DeliveredSeqs()
        self.conversation = conversation
        self.token_scope = limits.token_scope(
            conversation.organisation_id, conversation.resident_token_hash
        )
        await self.channel_layer.group_add(
            events.resident_group(conversation.pk), self.channel_name
        )

    async def _replay(self, last_seq: int, frame_type: str):
        conversation, messages = await database_sync_to_async(self._replay_data)(last_seq)
        fresh = [m for m in messages if self.delivered.add(m["seq"])]
        await self.send_frame(
            {
                "type": frame_type,
                "conversation": conversation,
                "messages": fresh,
                "has_more": len(messages) == REPLAY_LIMIT,
            }
        )

    def _replay_data(self, last_seq):
        self.conversation.refresh_from_db()
        messages = selectors.messages_after(
            self.conversation, last_seq, for_resident=True, limit=REPLAY_LIMIT
        )
        return _conversation(self.conversation), [
            events.message_payload(m, for_resident=True) for m in messages
        ]


def _client_address(scope) -> str | None:
    """The client's address as the server gives it: uvicorn takes it from X-Forwarded-For
    only when the connection comes from FORWARDED_ALLOW_IPS (a proxy; docs/operations.md)."""
    client = scope.get("client")
    return client[0] if client else None


def _allow_new_chat(address: str) -> bool:
    """At most NEW_CHATS_PER_HOUR new chats per client address (IPv6: /64) per clock hour."""
    key = f"balie:new-chats:{address}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= settings.NEW_CHATS_PER_HOUR
    except ValueError:  # expired between add and incr
        return True


def _conversation(conversation) -> dict:
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "agent_read_seq": conversation.agent_read_seq,
        "organisation": conversation.organisation.name,
    }
