"""An organisation's settings for the personal-data detector: its allow-list and its grounds.

Stored on the organisation (``Organisation.privacy``) in the shape :class:`balie.pii.Context`
reads (``allow`` and ``grounds``; participants belong to a conversation, not to an
organisation). The Woo workbench and ``balie pii detect --context`` use the same shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from balie.errors import Invalid
from balie.pii import Context, ContextError
from balie.tenants.models import Organisation

__all__ = ["check_privacy", "do_set_privacy", "privacy_context"]

KEYS = ("allow", "grounds")


def check_privacy(data: Any) -> dict[str, Any]:
    """The settings as they will be stored, or :class:`Invalid` naming the first problem."""
    if not isinstance(data, dict):
        raise Invalid("privacy_invalid", _("The privacy settings must be a JSON object."))
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise Invalid(
            "privacy_invalid",
            _("Unknown key %(key)s in the privacy settings (allowed: allow, grounds)."),
            params={"key": unknown[0]},
        )
    try:
        context = Context.from_dict(data)
    except ContextError as error:
        raise Invalid(
            "privacy_invalid", _("Privacy settings: %(problem)s."), params={"problem": str(error)}
        ) from None
    return {
        "allow": {kind: list(items) for kind, items in context.allow.items() if items},
        "grounds": dict(data.get("grounds") or {}),
    }


def do_set_privacy(organisation: Organisation, data: Any) -> Organisation:
    organisation.privacy = check_privacy(data)
    organisation.save(update_fields=["privacy"])
    return organisation


def privacy_context(organisation: Organisation) -> Context:
    """The detector's context for this organisation's texts (its allow-list and grounds)."""
    return Context.from_dict(organisation.privacy or None)
