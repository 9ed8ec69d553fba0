"""The 24-hour customer-service window and message templates.

WhatsApp lets a business answer freely for 24 hours after the resident's last message;
after that only a template Meta approved may be sent, which opens the window again once the
resident answers. :func:`window_of` says whether a conversation's window is open and until
when (from ``ChannelThread.last_inbound_at``, the moment Balie received the resident's last
message). The delivery task refuses a free message outside the window
(``outside_window``, shown on the message in the console).

Templates are kept per organisation and WhatsApp account: the administrator adds each
template as it is registered at Meta (name, language, text with ``{{1}}`` … ) and marks it
approved when Meta has approved it. Staff send one with :func:`do_send_template`: the
message is stored with the template's text filled in (what the resident will read) and goes
out as WhatsApp's ``template`` message.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.connectors.models import ChannelAccount, ChannelThread
from balie.connectors.whatsapp.models import Template, TemplateMessage
from balie.conversations import actions
from balie.conversations.actions.checks import checked_text, id_from_outside
from balie.conversations.models import Channel, Conversation, Direction
from balie.errors import Conflict, Invalid, NotFound
from balie.records.permissions import require_role

__all__ = [
    "WINDOW",
    "TemplateNotFound",
    "Window",
    "access_template",
    "administered_account",
    "do_add_template",
    "do_review_template",
    "do_send_template",
    "do_update_template",
    "render",
    "template_view",
    "templates_administered",
    "templates_for",
    "window_of",
    "window_of_thread",
]

WINDOW = timedelta(hours=24)
NAME = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
MAX_BODY = 1024  # Meta's limit for a template's body
MAX_PARAMETER = 1024
NOT_ALLOWED = _("Only an application administrator manages WhatsApp templates.")


class Window(TypedDict):
    open: bool
    closes_at: datetime | None


class TemplateNotFound(NotFound):
    default_code = "unknown_template"
    default_message = _("This template does not exist or is not approved.")


# the window


def window_of(conversation: Conversation) -> Window:
    """Whether a free message can reach the resident now, and until when."""
    thread = ChannelThread.objects.filter(conversation_id=conversation.pk).first()
    return window_of_thread(thread)


def window_of_thread(thread: ChannelThread | None) -> Window:
    last = thread.last_inbound_at if thread is not None else None
    closes_at = last + WINDOW if last is not None else None
    return {"open": closes_at is not None and closes_at > timezone.now(), "closes_at": closes_at}


# templates: the administrator's


def do_add_template(
    account: ChannelAccount,
    *,
    actor,
    name: object,
    language: object,
    body: object,
    approved: object = False,
) -> Template:
    _require_admin(actor, account.organisation_id)
    if account.kind != Channel.WHATSAPP:
        raise Conflict("not_whatsapp", _("Templates belong to a WhatsApp channel."))
    template = Template(
        organisation_id=account.organisation_id,
        account=account,
        name=_checked(name, "name", NAME, _("name is a template name: a-z, 0-9 and _.")),
        language=_checked(
            language, "language", LANGUAGE, _("language is a code such as nl or en_US.")
        ),
        body=_checked_body(body),
        approved=_boolean(approved, "approved"),
    )
    try:
        with transaction.atomic():
            template.save()
            _record(template, actor, "whatsapp.template_added")
    except IntegrityError:
        raise Conflict(
            "template_exists", _("This template already exists in this language.")
        ) from None
    return template


def do_update_template(
    template: Template, *, actor, body: object = None, approved: object = None
) -> Template:
    """Change the text (as changed at Meta) or mark it approved or not."""
    _require_admin(actor, template.organisation_id)
    if body is not None:
        template.body = _checked_body(body)
    if approved is not None:
        template.approved = _boolean(approved, "approved")
    with transaction.atomic():
        template.save()
        _record(template, actor, "whatsapp.template_changed")
    return template


def do_review_template(
    account: ChannelAccount, name: str, language: str, *, approved: bool
) -> Template | None:
    """Meta's review of a template (its ``message_template_status_update`` webhook): the
    template as added here is approved, or no longer. None when it is not added here."""
    template = Template.objects.filter(account=account, name=name, language=language).first()
    if template is None or template.approved == approved:
        return template
    template.approved = approved
    with transaction.atomic():
        template.save(update_fields=["approved", "updated_at"])
        _record(template, None, "whatsapp.template_reviewed")
    return template


def _require_admin(actor, organisation_id: int) -> None:
    """The organisation's administrator; ``actor=None``: the server's operator (a command,
    the demo), as for the channel accounts themselves."""
    if actor is not None:
        require_role(actor, organisation_id, {Role.ADMIN}, NOT_ALLOWED)


def _record(template: Template, actor, event_type: str) -> None:
    record_event(
        organisation_id=template.organisation_id,
        event_type=event_type,
        payload=template_view(template),
        actor=actor_ref(actor),
    )


def _checked(value: object, name: str, pattern: re.Pattern, message) -> str:
    text = checked_text(value, name, 512)
    if not pattern.match(text):
        raise Invalid("invalid_field", message, field=name)
    return text


def _checked_body(value: object) -> str:
    body = checked_text(value, "body", MAX_BODY)
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if numbers != list(range(1, len(numbers) + 1)):
        raise Invalid(
            "invalid_field",
            _("The placeholders are {{1}}, {{2}} … in order, without gaps."),
            field="body",
        )
    return body


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(
            "invalid_field", _("%(name)s is true or false."), field=name, params={"name": name}
        )
    return value


# templates: what an administrator sees


def templates_administered(actor, organisation_id: int | None = None) -> QuerySet[Template]:
    """The templates of the organisations ``actor`` administers (a person, never a key)."""
    organisations = _administered(actor)
    if organisation_id is not None:
        organisations = [o for o in organisations if o == organisation_id]
    return Template.objects.filter(organisation_id__in=organisations).select_related("account")


def access_template(actor, template_id: object) -> Template:
    found = templates_administered(actor).filter(pk=id_from_outside(template_id) or 0).first()
    if found is None:
        raise TemplateNotFound()
    return found


def administered_account(actor, account_id: object) -> ChannelAccount:
    """A WhatsApp account of an organisation ``actor`` administers, or 404."""
    found = ChannelAccount.objects.filter(
        pk=id_from_outside(account_id) or 0,
        kind=Channel.WHATSAPP,
        organisation_id__in=_administered(actor),
    ).first()
    if found is None:
        raise NotFound("unknown_channel", _("This WhatsApp channel does not exist."))
    return found


def _administered(actor) -> list[int]:
    who = Actor.of(actor)
    return who.organisations({Role.ADMIN}) if who.is_person else []


# templates: staff's


def placeholders(template: Template) -> int:
    return len({int(n) for n in PLACEHOLDER.findall(template.body)})


def template_view(template: Template) -> dict[str, Any]:
    return {
        "id": template.pk,
        "account": template.account_id,
        "name": template.name,
        "language": template.language,
        "body": template.body,
        "parameters": placeholders(template),
        "approved": template.approved,
    }


def templates_for(conversation: Conversation) -> QuerySet[Template]:
    """The approved templates of the WhatsApp account the conversation runs on."""
    thread = ChannelThread.objects.filter(conversation_id=conversation.pk).first()
    if thread is None:
        return Template.objects.none()
    return Template.objects.filter(
        organisation_id=conversation.organisation_id, account_id=thread.account_id, approved=True
    )


def render(template: Template, parameters: list[str]) -> str:
    return PLACEHOLDER.sub(lambda match: parameters[int(match.group(1)) - 1], template.body)


def do_send_template(
    conversation: Conversation,
    *,
    actor,
    template_id: object,
    parameters: object,
    client_id: object,
    confirmed: bool = False,
) -> actions.SendResult:
    """Send ``template`` filled with ``parameters`` to the resident of ``conversation`` (found
    by the caller with ``access_conversation(..., write=True)``); idempotent on
    ``client_id`` (``created`` is False for a resend). The stored message is the text the
    resident reads."""
    if conversation.channel != Channel.WHATSAPP:
        raise Conflict("not_whatsapp", _("Templates are for WhatsApp conversations."))
    template = templates_for(conversation).filter(pk=id_from_outside(template_id) or 0).first()
    if template is None:
        raise TemplateNotFound(field="template")
    values = _parameters(parameters, placeholders(template))
    body = actions.clean_body(render(template, values))
    client_id = actions.check_client_id(client_id)
    with transaction.atomic():
        result = actions.do_send_message(
            conversation,
            direction=Direction.OUTBOUND,
            body=body,
            client_id=client_id,
            author=actor,
            confirmed=confirmed,
        )
        if result.created:
            TemplateMessage.objects.create(
                message=result.message, template=template, parameters=values
            )
            record_event(
                organisation_id=conversation.organisation_id,
                conversation_id=conversation.pk,
                event_type="whatsapp.template_sent",
                payload={
                    "message_id": result.message.pk,
                    "template": template.name,
                    "language": template.language,
                    "parameters": values,
                },
                actor=actor_ref(actor),
            )
    return result


def _parameters(value: object, wanted: int) -> list[str]:
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) != wanted:
        raise Invalid(
            "invalid_parameters",
            _("This template needs %(count)s values."),
            field="parameters",
            params={"count": wanted},
        )
    values = []
    for given in value:
        text = checked_text(given, "parameters", MAX_PARAMETER)
        # WhatsApp refuses new lines, tabs and more than four spaces in a row in a value.
        if "\n" in text or "\t" in text or "     " in text:
            raise Invalid(
                "invalid_parameters",
                _("A value has no new lines, tabs or long runs of spaces."),
                field="parameters",
            )
        values.append(text)
    return values
