"""The theme of the organisation a page is about (balie.web.theming):
``{% theme_css_url organisation %}`` and ``{% organisation_logo organisation as logo %}``."""

from __future__ import annotations

from django import template

from balie.web.theming import logo_link, theme_css_url

register = template.Library()


@register.simple_tag
def organisation_logo(organisation) -> dict[str, object] | None:
    if not getattr(organisation, "slug", None):
        return None
    return logo_link(organisation)


@register.simple_tag
def theme_css(organisation) -> str:
    """The versioned address of the organisation's theme.css."""
    return theme_css_url(organisation)
