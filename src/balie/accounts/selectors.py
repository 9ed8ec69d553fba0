"""Reads of staff: who works for an organisation, and who may handle its conversations."""

from __future__ import annotations

from balie.accounts.models import WRITING_ROLES, User


def staff_of(organisation_id: int) -> list[User]:
    """Members who may handle conversations (the choices for "assign to")."""
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__role__in=WRITING_ROLES
        ).order_by("first_name", "username")
    )


def staff_member(organisation_id: int, user_id: object) -> User | None:
    """The member ``user_id`` if they may handle the organisation's conversations."""
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return None
    return User.objects.filter(
        pk=user_id,
        memberships__organisation_id=organisation_id,
        memberships__role__in=WRITING_ROLES,
    ).first()
