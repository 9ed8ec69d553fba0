"""The staff socket: the inbox of every organisation the user works for, plus the
conversations the console has open (``subscribe``), each resumable from a sequence.

Frames in: ``subscribe``, ``unsubscribe``, ``send``, ``typing``, ``read``, ``presence``,
``heartbeat``.
Out: ``hello``, ``subscribed``, ``message``, ``ack``, ``conversation``, ``typing``, ``read``,
``presence``, ``agent_status``, ``error`` (docs/realtime.md).

Presence: opening a conversation tells its other staff sockets (on every node, through the
channel layer) who has it open, and asks them to say the same; the console repeats it while
the conversation stays open (``presence`` frames) and forgets a viewer it has not heard from
in time, so a socket on a node that stopped leaves no ghost.
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from balie.accounts.languages import chosen_language
from balie.accounts.models import ORGANISATION_WIDE_ROLES
from balie.accounts.sessions import session_user
from balie.accounts.twofactor import session_satisfied
from balie.archive import audit
from balie.archive.audit import AuditContext
from balie.conversations import actions, event_types, events, selectors
from balie.conversations.models import Direction
from balie.realtime import sessions, writer
from balie.realtime.protocol import (
    REPLAY_LIMIT,
    DeliveredSeqs,
    JsonConsumer,
    ProtocolError,
    field_int,
)

PATH = "ws/agent/"  # where conf.routing mounts this consumer; the console pages connect to it
MAX_OPEN = 20
SEEN_EVERY_SECONDS = 55.0  # the console's heartbeat comes every 30 s


class AgentConsumer(JsonConsumer):
    def rate_limit(self) -> int:
        return settings.STAFF_FRAMES_PER_10S

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if (
            user is None
            or not user.is_authenticated
            # a role that needs two-step login, and a session that has not confirmed it
            or not await database_sync_to_async(session_satisfied)(session, user)
        ):
            await self.close(code=sessions.SESSION_ENDED)
            return
        self.user = user
        self.session_key = session.session_key if session is not None else None
        self.session_checked_at = time.monotonic()
        client = self.scope.get("client")
        # Reads through this socket are audited with where they came from (see archive.audit).
        audit.set_context(AuditContext(channel="socket", ip=client[0] if client else None))
        self.open: dict[int, DeliveredSeqs] = {}
        self.wide_orgs, self.team_orgs, self.team_ids = await database_sync_to_async(
            self._visibility
        )()
        # The console's language, read once (the session is in the database).
        self.chosen_language = await database_sync_to_async(chosen_language)(
            self.scope.get("session")
        )
        await self.accept()
        await self.channel_layer.group_add(sessions.user_group(user.pk), self.channel_name)
        for org_id in self.wide_orgs | self.team_orgs:
            await self.channel_layer.group_add(events.inbox_group(org_id), self.channel_name)
        self.seen_at = float("-inf")
        await self._seen()  # routing: a console that is connected is alive
        await self.send_frame({"type": "hello", "user": self.user.pk})

    def language(self) -> str:
        return self.chosen_language

    def _visibility(self):
        memberships = list(selectors.memberships_of(self.user))
        wide = {m.organisation_id for m in memberships if m.role in ORGANISATION_WIDE_ROLES}
        team_orgs = {m.organisation_id for m in memberships} - wide
        team_ids = set(self.user.teams.values_list("pk", flat=True))
        return wide, team_orgs, team_ids

    async def disconnect(self, code):
        if not hasattr(self, "user"):
            return
        await self.channel_layer.group_discard(sessions.user_group(self.user.pk), self.channel_name)
        for org_id in self.wide_orgs | self.team_orgs:
            await self.channel_layer.group_discard(events.inbox_group(org_id), self.channel_name)
        for conversation_id in list(self.open):
            await self._announce(conversation_id, "left")
            await self.channel_layer.group_discard(
                events.staff_group(conversation_id), self.channel_name
            )

    # --- the session behind the socket (realtime.sessions) -----------------------------
    async def balie_access_changed(self, message):
        await self._check_session(force=True)

    async def _check_session(self, *, force: bool = False) -> bool:
        """False (and the socket closing) when the session ended or the access changed.
        Without ``force`` the session is read at most every STAFF_SESSION_RECHECK_SECONDS."""
        if getattr(self, "_session_closed", False):
            return False
        now = time.monotonic()
        if not force and now - self.session_checked_at < settings.STAFF_SESSION_RECHECK_SECONDS:
            return True
        self.session_checked_at = now
        user = await database_sync_to_async(session_user)(self.session_key)
        if user is None or user.pk != self.user.pk:
            code = sessions.SESSION_ENDED
        else:
            self.user = user
            visibility = await database_sync_to_async(self._visibility)()
            if visibility == (self.wide_orgs, self.team_orgs, self.team_ids):
                return True
            code = sessions.ACCESS_CHANGED  # reconnecting subscribes to what it may see now
        self._session_closed = True
        await self.close(code=code)
        return False

    async def receive(self, text_data=None, bytes_data=None):
        if await self._check_session():
            await super().receive(text_data=text_data, bytes_data=bytes_data)

    # --- frames from the console -------------------------------------------------------
    async def on_subscribe(self, frame):
        conversation_id = field_int(frame.get("conversation"), "conversation")
        last_seq = field_int(frame.get("last_seq", 0), "last_seq")
        if conversation_id not in self.open and len(self.open) >= MAX_OPEN:
            raise ProtocolError(
                "too_many_open",
                _("You can open at most %(limit)s conversations."),
                params={"limit": MAX_OPEN},
            )
        conversation = await self._access(conversation_id)
        first = conversation.pk not in self.open
        self.open.setdefault(conversation.pk, DeliveredSeqs())
        await self.channel_layer.group_add(events.staff_group(conversation.pk), self.channel_name)
        if first:  # not again for each page of the history
            await self._announce(conversation.pk, "viewing", ask=True)
        payload, messages = await database_sync_to_async(self._replay_data)(conversation, last_seq)
        delivered = self.open[conversation.pk]
        await self.send_frame(
            {
                "type": "subscribed",
                "conversation": payload,
                "messages": [m for m in messages if delivered.add(m["seq"])],
                "has_more": len(messages) == REPLAY_LIMIT,
            }
        )

    def _replay_data(self, conversation, last_seq):
        messages = selectors.messages_after(
            conversation, last_seq, for_resident=False, limit=REPLAY_LIMIT
        )
        # What the layers above add on opening (a failed registration's reason) is text:
        # in the console's language.
        with translation.override(self.language()):
            payload = events.conversation_payload(conversation, with_labels=True)
        return payload, [events.message_payload(m, for_resident=False) for m in messages]

    async def on_unsubscribe(self, frame):
        conversation_id = field_int(frame.get("conversation"), "conversation")
        if self.open.pop(conversation_id, None) is not None:
            await self._announce(conversation_id, "left")
            await self.channel_layer.group_discard(
                events.staff_group(conversation_id), self.channel_name
            )

    async def on_presence(self, frame):
        """The console still has the conversation open: say so again to the others."""
        conversation_id = field_int(frame.get("conversation"), "conversation")
        if conversation_id not in self.open:
            raise ProtocolError("not_subscribed", _("Open the conversation first."))
        await self._announce(conversation_id, "viewing")

    async def _announce(self, conversation_id: int, state: str, *, ask: bool = False):
        event = event_types.presence_event(
            conversation_id, user=self.user.pk, name=self._name(), state=state, ask=ask
        )
        await events.asend_event(event, [events.staff_group(conversation_id)])

    def _name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    async def on_send(self, frame):
        request = writer.SendRequest(
            conversation_id=field_int(frame.get("conversation"), "conversation"),
            direction=Direction.NOTE if frame.get("internal") is True else Direction.OUTBOUND,
            body=frame.get("body", ""),
            client_id=frame.get("client_id"),
            attachment_ids=frame.get("attachments", []),
            actor=self.user,
            confirmed=frame.get("confirm") is True,
        )
        outcome = await writer.submit(request)
        message = outcome.result.message
        if message.conversation_id in self.open:
            self.open[message.conversation_id].add(message.seq)
        await self.send_frame(
            event_types.ack_event(outcome.payload, duplicate=not outcome.result.created)
        )

    async def on_edit(self, frame):
        await self._change(frame, actions.do_edit_message, body=frame.get("body"))

    async def on_delete(self, frame):
        await self._change(frame, actions.do_delete_message)

    async def _change(self, frame, action, **kwargs):
        conversation_id = field_int(frame.get("conversation"), "conversation")

        def change():
            conversation = selectors.access_conversation(self.user, conversation_id, write=True)
            action(
                selectors.message_in(conversation, frame.get("message")), actor=self.user, **kwargs
            )

        await database_sync_to_async(change)()
        # The change reaches this socket like every other one: as message_updated, after commit.

    async def on_typing(self, frame):
        conversation_id = field_int(frame.get("conversation"), "conversation")
        if conversation_id not in self.open:
            raise ProtocolError("not_subscribed", _("Open the conversation first."))
        await events.asend_event(
            event_types.typing_event(conversation_id, side="agent"),
            [events.resident_group(conversation_id)],
        )
        # The other agents with it open learn who types (not the resident: only "agent").
        await events.asend_event(
            event_types.typing_event(
                conversation_id, side="agent", user=self.user.pk, name=self._name()
            ),
            [events.staff_group(conversation_id)],
        )

    async def on_heartbeat(self, frame):
        """The console is open (sent every 30 s): routing's sign of life for auto-offline."""
        await self._seen()

    async def _seen(self):
        """Refresh the agent's ``last_seen_at``: from this socket at most once per
        ``SEEN_EVERY_SECONDS``, and in the database at most once a minute per agent."""
        now = time.monotonic()
        if now - self.seen_at >= SEEN_EVERY_SECONDS:
            self.seen_at = now
            await database_sync_to_async(actions.do_mark_seen)(self.user)

    async def on_read(self, frame):
        conversation_id = field_int(frame.get("conversation"), "conversation")
        seq = field_int(frame.get("seq"), "seq")
        conversation = await self._access(conversation_id, audit=False)  # a marker, not a read
        await database_sync_to_async(actions.do_mark_read)(conversation, side="agent", seq=seq)

    async def _access(self, conversation_id, *, audit: bool = True):
        return await database_sync_to_async(selectors.access_conversation)(
            self.user, conversation_id, audit=audit
        )

    # --- events from the channel layer ------------------------------------------------
    async def balie_event(self, message):
        if not await self._check_session():
            return
        event = message["event"]
        kind = event["type"]
        if kind == "message":
            delivered = self.open.get(event["message"]["conversation"])
            if delivered is None or not delivered.add(event["message"]["seq"]):
                return
        elif kind == "conversations":
            visible = [c for c in event["conversations"] if self._sees(c)]
            if not visible:
                return
            event = event_types.conversations_event(visible)
        elif (kind == "conversation" and not self._sees(event["conversation"])) or (
            # agents' typing and presence: only other people's, in conversations open here
            kind in ("typing", "presence")
            and event.get("side", "agent") == "agent"
            and (
                event.get("user") in (None, self.user.pk) or event["conversation"] not in self.open
            )
        ):
            return
        elif kind == "presence" and event["ask"]:  # someone opened it: we have it open too
            await self._announce(event["conversation"], "viewing")
        await self.send_frame(event)

    def _sees(self, conversation: dict) -> bool:
        org = conversation["organisation"]
        if org in self.wide_orgs:
            return True
        return org in self.team_orgs and (
            conversation["team"] is None
            or conversation["team"] in self.team_ids
            or conversation["assignee"] == self.user.pk
        )
