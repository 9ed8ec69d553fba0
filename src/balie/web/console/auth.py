"""Logging in and out, choosing the organisation, and the language switch."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from balie.accounts import sso, throttle
from balie.accounts.actions import announce_access_change
from balie.conversations import selectors
from balie.web.console import signins
from balie.web.console.language import LANGUAGES, SESSION_KEY
from balie.web.console.pages import page_context, render_page


def login_page(request, *, status: int = 200, **context):
    """The login page outside the login view: after a refused login through an
    organisation's provider (``sso_refusal``)."""
    return render_page(
        request,
        "console/login.html",
        {"form": AuthenticationForm(request), "sso_choices": sso.login_choices(), **context},
        status=status,
    )


class ConsoleLoginView(LoginView):
    """Django's login (argon2 hashes). django-axes locks a user name out per address after
    repeated failures; accounts.throttle slows a user name's guessing from any address."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **page_context(self.request),
            "sso_choices": sso.login_choices(),
        }

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        try:
            throttle.check_login_allowed(username)
        except throttle.TooManyAttempts as refusal:  # shown in place, on the form; no hashing
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, throttled=refusal.message)
            return self.render_to_response(context, status=refusal.status)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_login_failure(form.data.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        throttle.reset(user.get_username())
        response = super().form_valid(form)  # then the second factor (web.second_factor)
        signins.record_login(user, method="password")
        return response


@require_POST
def logout_view(request):
    language = request.session.get(SESSION_KEY)
    user = request.user
    logout(request)
    if user.is_authenticated:  # this session's sockets close too (the user's others stay)
        announce_access_change(user)
    if language:  # the language switch outlives the session
        request.session[SESSION_KEY] = language
    return redirect("console:login")


@require_POST
def set_language(request):
    language = request.POST.get("language")
    if language in LANGUAGES:
        request.session[SESSION_KEY] = language
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "console:home"
    return redirect(target)


@login_required
def home(request):
    """Straight to the inbox for one organisation; a chooser for several (or none)."""
    memberships = list(selectors.memberships_of(request.user).order_by("organisation__name"))
    if len(memberships) == 1:
        return redirect("console:inbox", slug=memberships[0].organisation.slug)
    return render_page(request, "console/home.html", {"memberships": memberships})
