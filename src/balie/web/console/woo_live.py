"""The review socket of one Woo request: ``/ws/woo/<organisation slug>/<reference>/``.

Woo coordinators and auditors of the organisation (the same readers as the review page) join
the request's review group and receive ``woo.redactions``, ``woo.changed`` and
``woo.document`` events (``balie.woo.events``, docs/realtime.md). Nothing is sent in: a frame
from the client is answered with ``unknown_type``. The socket closes with 4401 when the
session ends and 4409 when the user's access changes (the page reconnects, or shows the
login), as the staff socket does.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.conf import settings

from balie.accounts.actors import Actor
from balie.accounts.sessions import session_user
from balie.accounts.twofactor import session_satisfied
from balie.realtime import sessions
from balie.realtime.protocol import JsonConsumer
from balie.woo.events import review_group
from balie.woo.models import WooRequest
from balie.woo.selectors import READERS

NOT_ALLOWED = 4403


def _readable_request(user, slug: str, reference: str) -> int | None:
    found = (
        WooRequest.objects.filter(organisation__slug=slug, reference=reference)
        .values_list("pk", "organisation_id")
        .first()
    )
    if found is None or not Actor.of(user).has_role(found[1], READERS):
        return None
    return found[0]


class WooReviewConsumer(JsonConsumer):
    socket_kind = "woo_review"  # in balie_open_sockets

    def rate_limit(self) -> int:
        return settings.STAFF_FRAMES_PER_10S

    async def connect(self):
        user = self.scope.get("user")
        if (
            user is None
            or not user.is_authenticated
            or not await database_sync_to_async(session_satisfied)(self.scope.get("session"), user)
        ):
            await self.close(code=sessions.SESSION_ENDED)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        request_id = await database_sync_to_async(_readable_request)(
            user, kwargs["organisation_slug"], kwargs["reference"]
        )
        if request_id is None:  # another organisation's request looks like none at all
            await self.close(code=NOT_ALLOWED)
            return
        self.user, self.request_id = user, request_id
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        await self.channel_layer.group_add(review_group(request_id), self.channel_name)
        await self.channel_layer.group_add(sessions.user_group(user.pk), self.channel_name)
        await self.accept()
        await self.send_frame({"type": "hello", "user": user.pk})

    async def disconnect(self, code):
        if not hasattr(self, "request_id"):
            return
        await self.channel_layer.group_discard(review_group(self.request_id), self.channel_name)
        await self.channel_layer.group_discard(sessions.user_group(self.user.pk), self.channel_name)

    async def balie_event(self, message):
        await self.send_frame(message["event"])

    async def balie_access_changed(self, message):
        user = await database_sync_to_async(session_user)(self.session_key)
        if user is None or user.pk != self.user.pk:
            await self.close(code=sessions.SESSION_ENDED)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        still = await database_sync_to_async(_readable_request)(
            user, kwargs["organisation_slug"], kwargs["reference"]
        )
        if still != self.request_id:
            await self.close(code=sessions.ACCESS_CHANGED)
