"""The organisation's channel accounts in the console (administrators): each with its
webhook address, settings and which secrets are set (never their values); add one of any
kind the installation has a connector for, change settings or replace secrets (an empty
field keeps the stored one), switch on or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import Role
from balie.connectors.accounts import account_view, do_add_channel, do_update_channel
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import connectors
from balie.conversations.actions import ActionError
from balie.errors import BalieError
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page


def _admin(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role != Role.ADMIN:
        raise Http404("channels")
    return organisation


def _page(request, organisation, *, error: str = "", status: int = 200):
    accounts = ChannelAccount.objects.for_organisation(organisation).select_related("organisation")
    kinds = [
        {"kind": kind, "settings": c.settings, "secrets": c.secrets}
        for kind, c in sorted(connectors().items())
    ]
    context = {
        "organisation": organisation,
        "accounts": [account_view(a) for a in accounts],
        "kinds": kinds,
        "error": error,
    }
    return render_page(request, "console/channels.html", context, status=status)


@login_required
@require_GET
def overview(request, slug: str):
    return _page(request, _admin(request, slug))


def _fields(post, prefix: str, names) -> dict[str, str]:
    return {name: post.get(f"{prefix}{name}", "") for name in names}


@login_required
@require_POST
def add(request, slug: str):
    organisation = _admin(request, slug)
    kind = request.POST.get("kind", "")
    connector = connectors().get(kind)
    try:
        if connector is None:
            raise ActionError("invalid_field", gettext("There is no such channel."))
        do_add_channel(
            organisation.pk, actor=request.user, kind=kind, name=request.POST.get("name", ""),
            settings=_fields(request.POST, "setting_", [f.name for f in connector.settings]),
            secrets=_fields(request.POST, "secret_", [f.name for f in connector.secrets]),
        )  # fmt: skip
    except BalieError as error:
        if error.status == 403:
            raise
        return _page(request, organisation, error=str(error.message), status=400)
    messages.success(request, gettext("Saved."))
    return redirect(reverse("console:channels", args=[organisation.slug]))


@login_required
@require_POST
def change(request, slug: str, account_id: int):
    organisation = _admin(request, slug)
    account = ChannelAccount.objects.for_organisation(organisation).filter(pk=account_id).first()
    connector = connectors().get(account.kind) if account else None
    if account is None or connector is None:
        raise Http404("channel")
    post = request.POST
    try:
        do_update_channel(
            account, actor=request.user,
            settings=_fields(post, "setting_", [f.name for f in connector.settings]),
            secrets=_fields(post, "secret_", [f.name for f in connector.secrets]),
            enabled=post.get("enabled") == "on",
        )  # fmt: skip
    except BalieError as error:
        if error.status == 403:
            raise
        return _page(request, organisation, error=str(error.message), status=400)
    messages.success(request, gettext("Saved."))
    return redirect(reverse("console:channels", args=[organisation.slug]))
