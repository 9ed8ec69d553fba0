"""Who did something, as the archive records it.

An *actor* is a staff :class:`~balie.accounts.models.User`, an organisation's
:class:`~balie.accounts.models.ApiKey` (a connected system), or ``None`` for the resident or
Balie itself — then the caller names the kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from balie.accounts.models import ApiKey, User


@dataclass(frozen=True)
class ActorRef:
    kind: str  # "staff", "api", "resident" or "system"
    user_id: int | None = None
    api_key_id: int | None = None


def actor_ref(actor: User | ApiKey | None, *, default_kind: str = "system") -> ActorRef:
    if isinstance(actor, ApiKey):
        return ActorRef("api", api_key_id=actor.pk)
    if actor is not None:
        return ActorRef("staff", user_id=actor.pk)
    return ActorRef(default_kind)


def user_of(actor: User | ApiKey | None) -> User | None:
    """The person behind an actor, if any (an API key has none)."""
    return None if actor is None or isinstance(actor, ApiKey) else actor


def api_key_of(actor: User | ApiKey | None) -> ApiKey | None:
    return actor if isinstance(actor, ApiKey) else None
