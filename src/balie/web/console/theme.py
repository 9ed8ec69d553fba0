"""The organisation's theme in the console, for its administrators: colours, font and logo
of the resident page, the widget, the app and the console's header, with a live preview.

One view: GET shows the form, POST calls ``tenants.theme.do_set_theme`` and shows the page
again with the refusal in place (the pair of colours and their contrast, in the reader's
language). Anyone but the organisation's administrators gets "not found", as on the other
administration pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from balie.accounts.models import Role
from balie.errors import BalieError
from balie.tenants import theme
from balie.tenants.logos import MAX_BYTES
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page
from balie.web.theming import logo_link

__all__ = ["urlpatterns"]


def _admin_or_404(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role != Role.ADMIN:
        raise Http404("theme")
    return organisation


def _page(request, organisation, *, values=None, error=None, status=200):
    current = theme.tokens(organisation)
    shown = {**current, **(values or {})}
    context = {
        "organisation": organisation,
        "values": shown,
        "stored": current,
        "colours": [
            (name, label, shown[name])
            for name, label in (
                ("color_primary", gettext("Primary colour (header, buttons, your messages)")),
                ("color_primary_text", gettext("Text on the primary colour")),
                ("color_background", gettext("Background")),
                ("color_text", gettext("Text")),
            )
        ],
        "fonts": list(theme.FONTS),
        "logo": logo_link(organisation),
        "max_logo_kb": MAX_BYTES // 1024,
        "error": error,
        "min_contrast": theme.MIN_CONTRAST,
    }
    return render_page(request, "console/theme.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def theme_page(request, slug: str):
    organisation = _admin_or_404(request, slug)
    if request.method == "GET":
        return _page(request, organisation)
    values = {name: request.POST.get(name, "") for name in theme.SETTABLE}
    upload = request.FILES.get("logo")
    try:
        theme.do_set_theme(
            organisation,
            actor=request.user,
            logo=upload.read(MAX_BYTES + 1) if upload is not None else None,
            remove_logo=request.POST.get("remove_logo") == "on",
            **values,
        )
    except BalieError as error:
        if error.status == 403:
            raise
        return _page(request, organisation, values=values, error=error, status=400)
    messages.success(request, gettext("The theme is saved."))
    return redirect(reverse("console:theme", args=[organisation.slug]))


urlpatterns = [path("<slug:slug>/theme/", theme_page, name="theme")]
