"""Writes to staff users, memberships and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from balie.accounts.models import ApiKey, ApiScope, Membership, Role, User
from balie.accounts.passwords import check_password_strength
from balie.tenants.models import Organisation

# Sent after commit with ``user_ids`` whose access changed: a password, an organisation role, a
# team, or the account itself. Open staff sockets of these users check their session again and
# reconnect (realtime registers the receiver; decision 0018 on why a lower layer signals up).
staff_access_changed = Signal()


def announce_access_change(*users: User) -> None:
    """Tell whoever listens, once the current transaction commits, that ``users``' access
    changed. Every action below that changes what a user may see or do calls this."""
    user_ids = sorted({user.pk for user in users})
    transaction.on_commit(lambda: staff_access_changed.send(sender=User, user_ids=user_ids))


def do_create_staff_user(
    *, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """Create a staff user; a password the validators refuse raises ``WeakPassword``."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    check_password_strength(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def do_set_password(user: User, password: str) -> None:
    """Change ``user``'s password after the same check as on creation."""
    check_password_strength(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    announce_access_change(user)  # every other session of the user has ended with this


def do_set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) a staff account: a deactivated user cannot log in, and the
    sessions and sockets they have open end now. Accounts are never deleted: the archive
    and the audit log name them."""
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    announce_access_change(user)


def do_set_membership(user: User, organisation: Organisation, role: str) -> Membership:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(Role.values)}")
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    announce_access_change(user)
    return membership


def do_remove_membership(user: User, organisation: Organisation) -> None:
    """``user`` no longer works for ``organisation``."""
    Membership.objects.filter(user=user, organisation=organisation).delete()
    announce_access_change(user)


def do_create_api_key(
    organisation: Organisation, *, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    """Create a key; return it with the full secret, which is shown once and never stored."""
    unknown = set(scopes) - set(ApiScope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
            scopes=sorted(scopes),
        )
    return key, f"{prefix}.{secret}"


# last_used_at is kept to the minute: no database write on every request.
API_KEY_USE_PRECISION = timedelta(minutes=1)


def do_record_api_key_use(key: ApiKey) -> None:
    """Note that ``key`` was used now (at most one write a minute per key)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > API_KEY_USE_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def do_revoke_api_key(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
