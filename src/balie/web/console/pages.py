"""Rendering a console page: every template gets the strings of the user's language."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from balie.web.console.strings import language_of, strings_for


def page_context(request) -> dict:
    language = language_of(request)
    # Times on the page, server- or browser-rendered, are in the organisation's time zone.
    return {"t": strings_for(language), "language": language, "time_zone": settings.TIME_ZONE}


def render_page(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, {**page_context(request), **(context or {})}, status=status)
