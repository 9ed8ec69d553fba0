"""Rendering a console page: the language, the switch to the other one, and the time zone."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from balie.web.console.language import language_of, other_language


def page_context(request) -> dict:
    language = language_of(request)
    return {
        "language": language,
        "other_language": other_language(language),
        # Times on the page, server- or browser-rendered, are in the organisation's time zone.
        "time_zone": settings.TIME_ZONE,
    }


def render_page(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, {**page_context(request), **(context or {})}, status=status)
