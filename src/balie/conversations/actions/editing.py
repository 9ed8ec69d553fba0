"""Editing and deleting one's own message.

The message row shows the current state ("bewerkt" / "verwijderd"); the archive keeps every
version: the original in ``message.created``, each change in its own event.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import events, followers
from balie.conversations.actions.errors import ActionError
from balie.conversations.actions.messages import clean_body
from balie.conversations.models import Direction, Message


def do_edit_message(message: Message, *, actor, body: object) -> Message:
    """``actor``: the staff author, or None for the resident (their socket proved who)."""
    _check_own(message, actor)
    body = clean_body(body)
    if not body:
        raise ActionError("invalid_body", _("An edited message cannot be empty."))
    if body == message.body:
        return message
    return _change(message, actor, "message.edited", {"body": body}, body=body, edited=True)


def do_delete_message(message: Message, *, actor) -> Message:
    _check_own(message, actor)
    return _change(message, actor, "message.deleted", {}, body="", edited=False)


def _check_own(message: Message, actor) -> None:
    if message.direction == Direction.SYSTEM:
        raise ActionError("not_editable", _("System lines cannot be changed."))
    own = (
        message.direction == Direction.INBOUND
        if actor is None
        else message.direction != Direction.INBOUND and message.author_id == actor.pk
    )
    if not own:
        raise ActionError("not_your_message", _("You can only change your own messages."))
    if message.deleted_at is not None:
        raise ActionError("deleted", _("This message has already been deleted."))
    window = timedelta(minutes=settings.EDIT_WINDOW_MINUTES)
    if timezone.now() - message.created_at > window:
        raise ActionError(
            "too_late",
            _("You can change a message up to %(minutes)s minutes after sending it."),
            params={"minutes": settings.EDIT_WINDOW_MINUTES},
        )


def _change(message, actor, event_type, extra, *, body, edited) -> Message:
    now = timezone.now()
    fields = {"body": body, "edited_at" if edited else "deleted_at": now}
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(**fields)
        for name, value in fields.items():
            setattr(message, name, value)
        followers.index().reindex_message(message)  # a deleted message is no longer found
        record_event(
            organisation_id=message.organisation_id,
            conversation_id=message.conversation_id,
            event_type=event_type,
            payload={"message_id": message.pk, "seq": message.seq, **extra},
            actor=actor_ref(actor, default_kind="resident"),
        )
        transaction.on_commit(partial(events.publish_message_updated, message))
    return message
