"""Two-step login pages (accounts.twofactor): the code after the password, setting up an
authenticator app (QR code as inline SVG: the console's CSP allows no data: images), the
recovery codes shown once, and the page where anyone can set it up or get new codes."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balie.accounts import twofactor
from balie.errors import BalieError
from balie.web.console import signins
from balie.web.console.pages import render_page

SVG = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("", SVG)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("console:home")


def qr_svg(text: str, label: str) -> SafeString:
    """``text`` as a QR code: an <svg> element to put in the page, named ``label``."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8)
    root = ElementTree.fromstring(image.to_string(encoding="unicode"))  # noqa: S314 - made here
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "qr")
    root.set("focusable", "false")
    # Made here from a secret and a user name, escaped by ElementTree: no user text as HTML.
    return mark_safe(ElementTree.tostring(root, encoding="unicode"))  # noqa: S308


def _secret(device) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _verified(request, method: str) -> None:
    request.session.cycle_key()  # a new session id for the stronger login
    twofactor.mark_session(request.session, method)
    signins.record_two_factor(request.user, "verified", method=method)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code after the password (or after an organisation's login without MFA)."""
    user = request.user
    if request.session.get(twofactor.SESSION_KEY):
        return redirect(_next(request))
    if not twofactor.is_enrolled(user):
        setup_url = resolve_url("console:two_factor_setup")
        return redirect(f"{setup_url}?{urlencode({'next': _next(request)})}")
    refusal = None
    if request.method == "POST":
        try:
            method = twofactor.do_verify(user, request.POST.get("code", ""))
        except BalieError as error:  # shown in place, on the form
            refusal = error
            signins.record_two_factor(user, "failed", code=error.code)
        else:
            _verified(request, method)
            return redirect(_next(request))
    return render_page(
        request,
        "console/two_factor_verify.html",
        {"refusal": refusal, "next": _next(request)},
        status=refusal.status if refusal else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Setting up an authenticator: QR code and secret, then a code to confirm it."""
    user = request.user
    if twofactor.is_enrolled(user):
        return redirect(_next(request))
    refusal = None
    if request.method == "POST":
        try:
            codes = twofactor.do_confirm_enrolment(user, request.POST.get("code", ""))
        except BalieError as error:
            refusal = error
            signins.record_two_factor(user, "failed", code=error.code)
        else:
            signins.record_two_factor(user, "enrolled")
            _verified(request, "totp")
            return _show_codes(request, codes)
    device = twofactor.do_start_enrolment(user)
    return render_page(
        request,
        "console/two_factor_setup.html",
        {
            "qr": qr_svg(device.config_url, _("QR code for your authenticator app")),
            "secret": _secret(device),
            "refusal": refusal,
            "required": twofactor.requires_second_factor(user),
            "next": _next(request),
        },
        status=refusal.status if refusal else 200,
    )


def _show_codes(request, codes: list[str]):
    return render_page(
        request, "console/two_factor_codes.html", {"codes": codes, "next": _next(request)}
    )


@login_required
def manage(request):
    """Anyone's own two-step login: set it up (optional for agents), or new recovery codes."""
    user = request.user
    return render_page(
        request,
        "console/two_factor_manage.html",
        {
            "enrolled": twofactor.is_enrolled(user),
            "required": twofactor.requires_second_factor(user),
            "codes_left": twofactor.recovery_codes_left(user),
        },
    )


@login_required
@require_POST
def new_codes(request):
    user = request.user
    if not twofactor.is_enrolled(user):
        return redirect("console:two_factor_manage")
    codes = twofactor.do_new_recovery_codes(user)
    signins.record_two_factor(user, "new_codes")
    return _show_codes(request, codes)
