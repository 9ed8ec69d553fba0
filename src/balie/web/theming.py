"""An organisation's theme on its pages: ``/c/<slug>/theme.css`` and ``/c/<slug>/logo``.

theme.css holds CSS custom properties only: the organisation's tokens (``--balie-*``) and,
derived from them, the NL Design System component tokens (``--utrecht-*``) that the Utrecht
component CSS reads (decision 0036). Colours the organisation did not choose (muted text, the
resident's bubble, borders of inputs, links) are mixed from the ones it did, each checked
against its background: text at least 4.5:1, borders of controls at least 3:1 (WCAG 2.1 AA),
falling back to the full text colour where a mix would not reach it.

Both answers carry an ETag from the content and are cached by browsers; pages link the logo
with its SHA-256 in the query (``?v=…``), so it is cached for a year.
"""

from __future__ import annotations

import hashlib
import json

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from balie.tenants import theme
from balie.tenants.logos import logo_of, logo_size
from balie.tenants.selectors import organisation_by_slug

__all__ = ["logo", "logo_link", "palette", "theme_css", "theme_css_text", "theme_css_url"]

THEME_CACHE = "public, max-age=300, must-revalidate"
LOGO_CACHE = "public, max-age=31536000, immutable"
BLACK, WHITE = "#000000", "#ffffff"


def _readable(candidates: list[str], background: str, minimum: float) -> str:
    """The first candidate with ``minimum`` contrast on ``background`` (the last as a
    fallback: the caller puts the surest one last)."""
    for colour in candidates:
        if theme.contrast_ratio(colour, background) >= minimum:
            return colour
    return candidates[-1]


def palette(tokens: dict[str, str]) -> dict[str, str]:
    """Every colour the pages use, from the organisation's four."""
    primary, on_primary = tokens["color_primary"], tokens["color_primary_text"]
    background, text = tokens["color_background"], tokens["color_text"]
    light_on_dark = theme.contrast_ratio(on_primary, BLACK) > theme.contrast_ratio(primary, BLACK)
    hover = theme.blend(primary, BLACK if light_on_dark else WHITE, 0.2)
    surface = theme.blend(background, text, 0.07)
    return {
        "primary": primary,
        "primary_text": on_primary,
        "primary_hover": _readable([hover, primary], on_primary, theme.MIN_CONTRAST),
        "primary_meta": _readable(
            [theme.blend(on_primary, primary, 0.15), on_primary], primary, theme.MIN_CONTRAST
        ),
        "background": background,
        "text": text,
        "muted": _readable(
            [theme.blend(text, background, 0.3), theme.blend(text, background, 0.15), text],
            surface,  # muted text also stands on the surface (the municipality's bubbles)
            theme.MIN_CONTRAST,
        ),
        "surface": surface,
        "surface_text": _readable([text], surface, theme.MIN_CONTRAST),
        "line": _readable([theme.blend(text, background, 0.45), text], background, 3.0),
        "link": _readable([primary, text], background, theme.MIN_CONTRAST),
    }


def theme_css_text(organisation) -> str:
    tokens = theme.tokens(organisation)
    return render_to_string(
        "resident/theme.css",
        {"colours": palette(tokens), "font": theme.font_stack(tokens["font_family"])},
    )


def theme_css_url(organisation) -> str:
    """The address of the organisation's theme.css, with a version from its tokens: a
    changed theme is a new address, so no browser keeps showing the old one."""
    version = hashlib.sha256(
        json.dumps(theme.tokens(organisation), sort_keys=True).encode()
    ).hexdigest()[:12]
    return reverse("resident:theme_css", args=[organisation.slug]) + f"?v={version}"


def logo_link(organisation) -> dict[str, object] | None:
    """``{"url", "width", "height"}`` of the organisation's logo for an ``<img>``, or None.
    The URL carries the logo's hash, so a new logo is a new address."""
    sha256 = theme.tokens(organisation)["logo"]
    if not sha256:
        return None
    size = logo_size(organisation)
    if size is None:
        return None
    url = reverse("resident:logo", args=[organisation.slug]) + f"?v={sha256[:16]}"
    return {"url": url, **size}


def _organisation_or_404(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise Http404("organisation")
    return organisation


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request, etag: str) -> bool:
    return request.headers.get("If-None-Match") == etag


@require_GET
@gzip_page
def theme_css(request, slug: str):
    body = theme_css_text(_organisation_or_404(slug)).encode()
    etag = _etag(body)
    response = (
        HttpResponseNotModified()
        if _not_modified(request, etag)
        else HttpResponse(body, content_type="text/css; charset=utf-8")
    )
    response["ETag"] = etag
    response["Cache-Control"] = THEME_CACHE
    return response


@require_GET
def logo(request, slug: str):
    stored = logo_of(_organisation_or_404(slug))
    if stored is None:
        raise Http404("logo")
    etag = f'"{stored.sha256[:32]}"'
    if _not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
        response["Content-Disposition"] = "inline"
    response["ETag"] = etag
    response["Cache-Control"] = LOGO_CACHE
    return response
