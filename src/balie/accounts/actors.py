"""Who is asking: a member of staff or an organisation's API key, as one :class:`Actor`.

Code above this layer asks the Actor "may I do this in that organisation" and never checks
which kind of actor it holds (``isinstance(actor, ApiKey)``):

- a *person* (a logged-in staff :class:`~balie.accounts.models.User`) acts where they have a
  membership, with its role;
- a *key* (an :class:`~balie.accounts.models.ApiKey`) acts in its own organisation only, for
  what its scopes allow; it has no role;
- anyone else (``None``, the anonymous user) acts nowhere.

A person's memberships are read once per Actor (one query) and kept: make the Actor once for
a request or a lookup and ask it as often as needed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from balie.accounts.models import ApiKey, Membership, User

__all__ = ["Actor"]


class Actor:
    """A staff member, an API key, or nobody; see the module's docstring."""

    __slots__ = ("_roles", "subject")

    def __init__(self, subject: Any) -> None:
        self.subject = subject
        self._roles: dict[int, str] | None = None

    @classmethod
    def of(cls, subject: Any) -> Actor:
        """The Actor for a user, an API key or ``None``; an Actor stays itself."""
        return subject if isinstance(subject, Actor) else cls(subject)

    def __repr__(self) -> str:
        kind = "key" if self.is_key else "person" if self.is_person else "nobody"
        return f"<Actor {kind} {self.subject!r}>"

    @property
    def is_key(self) -> bool:
        """An organisation's API key (a connected system: no person behind it)."""
        return isinstance(self.subject, ApiKey)

    @property
    def is_person(self) -> bool:
        """A logged-in member of staff: someone an archive or audit entry can name."""
        return not self.is_key and bool(getattr(self.subject, "is_authenticated", False))

    @property
    def user(self) -> User | None:
        """The person, or None for a key or nobody."""
        return self.subject if self.is_person else None

    @property
    def api_key(self) -> ApiKey | None:
        """The key, or None for a person or nobody."""
        return self.subject if self.is_key else None

    def role_in(self, organisation_id: int) -> str | None:
        """The person's role in the organisation; None without a membership, and for a key."""
        return self._memberships().get(organisation_id)

    def has_role(self, organisation_id: int, roles: Collection[str]) -> bool:
        """A person with one of ``roles`` in the organisation (never a key)."""
        return self.role_in(organisation_id) in roles

    def has_scope(self, scope: str) -> bool:
        """A key with the scope. People have no scopes (their roles decide): False."""
        key = self.api_key
        return key is not None and key.has_scope(scope)

    def organisations(
        self, roles: Collection[str] | None = None, *, scope: str | None = None
    ) -> list[int]:
        """The organisations where the actor may act, in id order: a person's with one of
        ``roles`` (all of them when None); a key's own, if it has ``scope`` (or none is
        asked) — a key's roles are its scopes."""
        key = self.api_key
        if key is not None:
            return [key.organisation_id] if scope is None or key.has_scope(scope) else []
        return sorted(
            organisation_id
            for organisation_id, role in self._memberships().items()
            if roles is None or role in roles
        )

    def _memberships(self) -> dict[int, str]:
        """{organisation id: role}, read once."""
        if self._roles is None:
            person = self.user
            self._roles = (
                dict(Membership.objects.filter(user=person).values_list("organisation_id", "role"))
                if person is not None
                else {}
            )
        return self._roles
