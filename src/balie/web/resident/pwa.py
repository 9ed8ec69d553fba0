"""The installable resident app: the manifest, its icons, the service worker and the
offline page, per organisation, all under ``/c/<slug>/`` so that the service worker's scope
is exactly that organisation's chat.

The manifest and icons change with the organisation's theme (``tenants.theme.tokens``) and
are answered with an ETag, so a browser revalidates them for a few bytes. The service
worker (``templates/resident/sw.js``) precaches the offline shell; its version is a hash of
the shell's files, so a changed file makes browsers install the new worker.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from balie.connectors.webpush import keys
from balie.tenants.selectors import organisation_by_slug
from balie.tenants.theme import tokens
from balie.web.resident import icons, texts

__all__ = ["SHELL_FILES", "icon", "manifest", "offline", "page_config", "service_worker"]

SHELL_FILES = (
    "balie/nlds/utrecht.css",
    "balie/resident/chat.css",
    "balie/resident/chat.js",
    "balie/resident/pwa.js",
    "balie/resident/pwa.css",
)
SHORT_NAME_MAX = 12  # what a home screen shows under the icon without cutting it


def _organisation_or_404(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise Http404("organisation")
    return organisation


def _etagged(request, body: bytes, content_type: str, cache_control: str) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def short_name(name: str) -> str:
    """ "Gemeente Utrecht" → "Utrecht"; cut at the end when still too long."""
    lowered = name.lower()
    for prefix in icons.PREFIXES:
        if lowered.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    return name if len(name) <= SHORT_NAME_MAX else name[: SHORT_NAME_MAX - 1].rstrip() + "…"


def manifest_for(organisation, language: str) -> dict:
    chat = reverse("resident:chat", args=[organisation.slug])
    theme = tokens(organisation)
    version = icons.version(organisation)
    with translation.override(language):
        description = gettext("Chat with %(organisation)s") % {"organisation": organisation.name}
    return {
        "id": chat,
        "name": organisation.name,
        "short_name": short_name(organisation.name),
        "description": description,
        "lang": language,
        "dir": "ltr",
        "start_url": chat if language == texts.DEFAULT_LANGUAGE else f"{chat}?lang={language}",
        "scope": chat,
        "display": "standalone",
        "theme_color": theme["color_primary"],
        "background_color": theme["color_background"],
        "icons": [
            {
                "src": reverse("resident:icon", args=[organisation.slug, name]) + f"?v={version}",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, (size, purpose) in icons.ICONS.items()
        ],
    }


def page_config(organisation) -> dict[str, str]:
    """What pwa.js needs on the chat page: where the worker and the switch are, and the key
    the browser subscribes with."""
    return {
        "serviceWorker": reverse("resident:service_worker", args=[organisation.slug]),
        "scope": reverse("resident:chat", args=[organisation.slug]),
        "push": reverse("resident:push", args=[organisation.slug]),
        "vapidKey": keys.public_key(),
    }


@require_GET
def manifest(request, slug: str):
    organisation = _organisation_or_404(slug)
    language = texts.language_from(request.GET.get("lang"))
    body = json.dumps(manifest_for(organisation, language), ensure_ascii=False).encode()
    return _etagged(request, body, "application/manifest+json", "no-cache")


@require_GET
def icon(request, slug: str, name: str):
    organisation = _organisation_or_404(slug)
    if name not in icons.ICONS:
        raise Http404("icon")
    data = icons.icon_png(organisation, name)
    # The manifest names each icon with its version: a new theme is a new address.
    return _etagged(request, data, "image/png", "public, max-age=604800")


@cache
def shell_version() -> str:
    """A hash of the shell's static files: the worker changes whenever one of them does."""
    digest = hashlib.sha256()
    for path in SHELL_FILES:
        found = finders.find(path)
        if found:
            with open(found, "rb") as file:  # noqa: PTH123
                digest.update(file.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request, slug: str):
    organisation = _organisation_or_404(slug)
    chat = reverse("resident:chat", args=[organisation.slug])
    offline_url = reverse("resident:offline", args=[organisation.slug])
    version = f"{shell_version()}-{icons.version(organisation)}"
    worker = {
        "version": version,
        "cache": f"balie:{organisation.slug}:",
        "scope": chat,
        "page": chat,
        "offline": offline_url,
        "shell": [
            chat,
            offline_url,
            reverse("resident:theme_css", args=[organisation.slug]),
            *(static(path) for path in SHELL_FILES),
        ],
        "icon": reverse("resident:icon", args=[organisation.slug, "192"]),
    }
    response = render(
        request,
        "resident/sw.js",
        {"worker_json": json.dumps(worker)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"  # browsers check it at least once a day anyway
    return response


@require_GET
def offline(request, slug: str):
    """What the app shows when there is no connection and the chat was never cached."""
    organisation = _organisation_or_404(slug)
    pages = []
    for language in texts.LANGUAGES:
        with translation.override(language):
            pages.append(
                {
                    "lang": language,
                    "title": gettext("No connection"),
                    "text": gettext(
                        "You are offline. Check your internet connection. The chat with "
                        "%(organisation)s opens again as soon as you are back online."
                    )
                    % {"organisation": organisation.name},
                    "retry": gettext("Try again"),
                }
            )
    return render(
        request,
        "resident/offline.html",
        {
            "organisation": organisation,
            "pages": pages,
            "chat": reverse("resident:chat", args=[slug]),
        },
    )
