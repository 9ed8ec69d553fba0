"""Canned answers: prepared texts of an organisation or one team, found with "/" in the
composer and filled in for the conversation at hand.

Team leads (supervisor) and administrators write them; every agent uses them. A text may hold
placeholders, each filled from the conversation when the agent picks the answer:

==========================  ================================================================
``{resident_name}``         the contact's name; "inwoner"/"resident" when it is not known
``{agent_name}``            the agent's full name
``{agent_first_name}``      the agent's first name (their full name when none is set)
``{organisation}``          the organisation's name
``{team}``                  the conversation's team ("" without one)
``{conversation_number}``   the conversation's number, as the console shows it
==========================  ================================================================

An unknown ``{name}`` is refused when the answer is saved, never found out while an agent is
answering. Changes are archive events (``canned_answer.created`` / ``changed`` /
``deleted``), so the organisation can tell who wrote which text when.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import LEAD_ROLES
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.checks import checked_text
from balie.conversations.actions.errors import ActionError
from balie.conversations.models import CannedAnswer, Conversation, Team
from balie.errors import Conflict, NotAllowed
from balie.tenants.models import Organisation

__all__ = [
    "CANNED_ROLES",
    "PLACEHOLDERS",
    "do_create_canned_answer",
    "do_delete_canned_answer",
    "do_update_canned_answer",
    "fill_canned_answer",
    "require_canned_manager",
]

# Who writes the organisation's canned answers.
CANNED_ROLES = LEAD_ROLES
PLACEHOLDERS = (
    "resident_name",
    "agent_name",
    "agent_first_name",
    "organisation",
    "team",
    "conversation_number",
)
_PLACEHOLDER = re.compile(r"\{([^{}\s]{0,40})\}")
_SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_NO_NAME = {"nl": "inwoner", "en": "resident"}
_FIELDS = ("shortcut", "title", "body_nl", "body_en", "team")


def require_canned_manager(actor, organisation_id: int) -> None:
    if not Actor.of(actor).has_role(organisation_id, CANNED_ROLES):
        raise NotAllowed(
            "permission_denied", _("Only team leads and administrators manage canned answers.")
        )


def do_create_canned_answer(
    organisation: Organisation,
    *,
    actor,
    shortcut: object,
    title: object,
    body_nl: object = "",
    body_en: object = "",
    team: Team | None = None,
) -> CannedAnswer:
    require_canned_manager(actor, organisation.pk)
    fields = _checked(
        organisation,
        {"shortcut": shortcut, "title": title, "body_nl": body_nl, "body_en": body_en},
        team,
    )
    answer = CannedAnswer(
        organisation=organisation, team=team, created_by=Actor.of(actor).user, **fields
    )
    with transaction.atomic():
        _save(answer)
        _record(answer, actor, "canned_answer.created")
    return answer


def do_update_canned_answer(answer: CannedAnswer, *, actor, **changes) -> CannedAnswer:
    """Change any of shortcut, title, body_nl, body_en and team (a Team or None)."""
    require_canned_manager(actor, answer.organisation_id)
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ActionError(
            "invalid_field",
            _("Unknown field %(name)s."),
            params={"name": ", ".join(sorted(unknown))},
        )
    team = changes.pop("team", answer.team)
    current = {name: getattr(answer, name) for name in _FIELDS if name != "team"}
    fields = _checked(answer.organisation, {**current, **changes}, team)
    for name, value in fields.items():
        setattr(answer, name, value)
    answer.team = team
    with transaction.atomic():
        _save(answer)
        _record(answer, actor, "canned_answer.changed")
    return answer


def do_delete_canned_answer(answer: CannedAnswer, *, actor) -> None:
    require_canned_manager(actor, answer.organisation_id)
    with transaction.atomic():
        _record(answer, actor, "canned_answer.deleted")
        answer.delete()


def fill_canned_answer(answer: CannedAnswer, *, conversation: Conversation, agent) -> str:
    """The answer's text in the conversation's language (the other one when that is empty),
    its placeholders filled for this conversation and agent."""
    language = conversation.language if conversation.language in ("nl", "en") else "nl"
    other = "en" if language == "nl" else "nl"
    text = getattr(answer, f"body_{language}") or getattr(answer, f"body_{other}")
    contact = conversation.contact
    full_name = (agent.get_full_name() or agent.get_username()) if agent else ""
    values = {
        "resident_name": (contact.name if contact else "") or _NO_NAME[language],
        "agent_name": full_name,
        "agent_first_name": (agent.first_name if agent else "") or full_name,
        "organisation": conversation.organisation.name,
        "team": conversation.team.name if conversation.team is not None else "",
        "conversation_number": str(conversation.pk),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _checked(organisation: Organisation, raw: dict, team: Team | None) -> dict:
    if team is not None and team.organisation_id != organisation.pk:
        raise ActionError(
            "invalid_team", _("This team does not belong to this organisation."), field="team"
        )
    shortcut = raw["shortcut"]
    if not isinstance(shortcut, str) or not _SHORTCUT.match(shortcut):
        raise ActionError(
            "invalid_shortcut",
            _(
                "A shortcut is 1 to 40 small letters, digits, - or _, starting with a letter "
                "or digit (for example: opening-hours)."
            ),
            field="shortcut",
        )
    title = checked_text(raw["title"], "title", 100)
    bodies = {}
    for name in ("body_nl", "body_en"):
        body = checked_text(raw[name], name, settings.MAX_MESSAGE_CHARS, required=False)
        for placeholder in _PLACEHOLDER.findall(body):
            if placeholder not in PLACEHOLDERS:
                raise ActionError(
                    "unknown_placeholder",
                    _("Unknown placeholder {%(name)s}. You can use: %(allowed)s."),
                    params={
                        "name": placeholder,
                        "allowed": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                    },
                    field=name,
                )
        bodies[name] = body
    if not bodies["body_nl"] and not bodies["body_en"]:
        raise ActionError(
            "required", _("Write the answer in Dutch, English or both."), field="body_nl"
        )
    return {"shortcut": shortcut, "title": title, **bodies}


def _save(answer: CannedAnswer) -> None:
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError:
        raise Conflict(
            "shortcut_taken",
            _("The shortcut /%(shortcut)s is already in use here; choose another."),
            params={"shortcut": answer.shortcut},
        ) from None


def _record(answer: CannedAnswer, actor, event_type: str) -> None:
    record_event(
        organisation_id=answer.organisation_id,
        event_type=event_type,
        payload={
            "canned_answer": answer.pk,
            "shortcut": answer.shortcut,
            "team": answer.team_id,
            "title": answer.title,
            "body_nl": answer.body_nl,
            "body_en": answer.body_en,
        },
        actor=actor_ref(actor),
    )
