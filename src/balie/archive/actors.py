"""Who did something, as the archive records it.

An *actor* is a staff :class:`~balie.accounts.models.User`, an organisation's
:class:`~balie.accounts.models.ApiKey` (a connected system), or ``None`` for the resident or
Balie itself — then the caller names the kind. :class:`~balie.accounts.actors.Actor` tells
which it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from balie.accounts.actors import Actor
from balie.accounts.models import ApiKey, User


@dataclass(frozen=True)
class ActorRef:
    kind: str  # "staff", "api", "resident" or "system"
    user_id: int | None = None
    api_key_id: int | None = None


def actor_ref(actor: User | ApiKey | Actor | None, *, default_kind: str = "system") -> ActorRef:
    who = Actor.of(actor)
    if (key := who.api_key) is not None:
        return ActorRef("api", api_key_id=key.pk)
    if (user := who.user) is not None:
        return ActorRef("staff", user_id=user.pk)
    return ActorRef(default_kind)


def user_of(actor: User | ApiKey | Actor | None) -> User | None:
    """The person behind an actor, if any (an API key has none)."""
    return Actor.of(actor).user


def api_key_of(actor: User | ApiKey | Actor | None) -> ApiKey | None:
    return Actor.of(actor).api_key
