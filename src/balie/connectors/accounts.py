"""Adding and changing an organisation's channel accounts: the organisation's administrator
(or the server's operator at the command line, ``actor=None``). Secrets are sealed at rest
(``balie.tenants.secrets``) and never shown back; a view of an account says only which are
set. Each change is an archive event without any secret."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import connector_for
from balie.conversations.actions.checks import checked_text
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.records.permissions import require_role
from balie.tenants.secrets import seal, unseal

__all__ = [
    "account_view",
    "do_add_channel",
    "do_update_channel",
    "secret_of",
    "webhook_url",
]

CONFIGURERS = frozenset({Role.ADMIN})
NOT_ALLOWED = _("Only an application administrator sets up channels.")
MAX_VALUE = 2000


def _require(actor, organisation_id: int) -> None:
    if actor is not None:
        require_role(actor, organisation_id, CONFIGURERS, NOT_ALLOWED)


def _connector(kind: object):
    connector = connector_for(kind) if isinstance(kind, str) else None
    if connector is None:
        raise ActionError(
            "invalid_field", _("There is no channel %(kind)s."), params={"kind": repr(kind)}
        )
    return connector


def _values(given: object, fields, *, partial: bool, what: str) -> dict[str, str]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ActionError("invalid_field", _("%(name)s is an object."), params={"name": what})
    names = {f.name for f in fields}
    unknown = sorted(set(given) - names)
    if unknown:
        raise ActionError(
            "invalid_field", _("Unknown field: %(fields)s."), params={"fields": ", ".join(unknown)}
        )
    values = {
        name: checked_text(value, name, MAX_VALUE)
        for name, value in given.items()
        if value not in (None, "")
    }
    if not partial:
        missing = [f.name for f in fields if f.required and f.name not in values]
        if missing:
            raise ActionError(
                "invalid_field", _("%(name)s is required."), params={"name": ", ".join(missing)}
            )
    return values


def do_add_channel(
    organisation_id: int, *, actor, kind: object, name: object, settings: object, secrets: object
) -> ChannelAccount:
    _require(actor, organisation_id)
    connector = _connector(kind)
    clean = connector.clean_settings(
        _values(settings, connector.settings, partial=False, what="settings")
    )
    sealed = {
        key: seal(value)
        for key, value in _values(secrets, connector.secrets, partial=False, what="secrets").items()
    }
    account = ChannelAccount(
        organisation_id=organisation_id, kind=connector.kind, name=checked_text(name, "name", 100),
        settings=clean, secrets=sealed,
    )  # fmt: skip
    try:
        with transaction.atomic():
            account.save()
            _record(account, actor, "channel.added", secrets=sorted(sealed))
    except IntegrityError:
        raise StateConflict(
            "channel_exists",
            _("There already is a channel %(name)s of this kind."),
            params={"name": account.name},
        ) from None
    return account


def do_update_channel(
    account: ChannelAccount,
    *,
    actor,
    settings: object = None,
    secrets: object = None,
    enabled: object = None,
) -> ChannelAccount:
    """Change settings (merged), replace the secrets given, switch on or off."""
    _require(actor, account.organisation_id)
    connector = _connector(account.kind)
    changed_secrets: list[str] = []
    if settings is not None:
        merged = {
            **account.settings,
            **_values(settings, connector.settings, partial=True, what="settings"),
        }
        account.settings = connector.clean_settings(merged)
    if secrets is not None:
        new = _values(secrets, connector.secrets, partial=True, what="secrets")
        account.secrets = {**account.secrets, **{k: seal(v) for k, v in new.items()}}
        changed_secrets = sorted(new)
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise ActionError(
                "invalid_field", _("%(name)s is true or false."), params={"name": "enabled"}
            )
        account.enabled = enabled
    with transaction.atomic():
        account.save()
        _record(account, actor, "channel.changed", secrets=changed_secrets)
    return account


def _record(account: ChannelAccount, actor, event_type: str, *, secrets: list[str]) -> None:
    record_event(
        organisation_id=account.organisation_id,
        event_type=event_type,
        payload={
            "channel": account.pk,
            "kind": account.kind,
            "name": account.name,
            "settings": account.settings,
            "enabled": account.enabled,
            "secrets_set": secrets,  # which were set, never their values
        },
        actor=actor_ref(actor),
    )


def secret_of(account: ChannelAccount, name: str) -> str:
    """A secret of the account, unsealed for the connector; "" when not set."""
    sealed = account.secrets.get(name)
    return unseal(sealed) if sealed else ""


def webhook_url(account: ChannelAccount) -> str:
    return f"{django_settings.PUBLIC_URL.rstrip('/')}/hooks/{account.public_id}/"


def account_view(account: ChannelAccount) -> dict[str, Any]:
    """An account as staff and the API see it: never a secret, only which are set."""
    connector = connector_for(account.kind)
    names = [f.name for f in connector.secrets] if connector else sorted(account.secrets)
    return {
        "id": account.pk,
        "organisation": account.organisation.slug,
        "kind": account.kind,
        "name": account.name,
        "enabled": account.enabled,
        "settings": dict(account.settings),
        "secrets": {name: name in account.secrets for name in names},
        "webhook_url": webhook_url(account),
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }
