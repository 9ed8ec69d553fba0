"""Reads of organisations."""

from __future__ import annotations

from balie.tenants.models import Organisation


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()
