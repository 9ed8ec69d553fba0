"""A tenant is an Organisation: one municipality (gemeente) on this installation."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Used in the chat address /c/<slug>/."
    )
    gemeentecode = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", "A gemeentecode has four digits.")],
        help_text="CBS municipality code, e.g. 0344 for Utrecht.",
    )
    oin = models.CharField(
        "OIN",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{20}$", "An OIN has twenty digits.")],
        help_text="Organisatie-identificatienummer.",
    )
    privacy = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "The personal-data detector's settings: the allow-list (own phone numbers, "
            "e-mail addresses, addresses, URLs, public office holders, texts) and the Woo "
            "ground per category, as balie.pii.Context reads them (docs/guides/"
            "privacy-detection.md). Set through tenants.privacy.do_set_privacy."
        ),
    )
    theme = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "NL Design System theme tokens for the resident page, widget, app and console "
            "(colours, font, logo), as tenants.theme validates them."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tooi_uri(self) -> str:
        """The municipality's identifier in TOOI (the government's organisation register),
        from its gemeentecode; "" for an organisation without one."""
        if not self.gemeentecode:
            return ""
        return f"https://identifier.overheid.nl/tooi/id/gemeente/gm{self.gemeentecode}"


class Logo(models.Model):
    """An organisation's logo for its theme: re-encoded by ``tenants.logos`` (no metadata, at
    most 512 by 512 pixels), kept apart so that reading an organisation never reads it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="logo"
    )
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"logo {self.sha256[:12]} of organisation {self.organisation_id}"


class TenantQuerySet(models.QuerySet):
    """Every model holding tenant data uses this: reads start from ``for_organisation``."""

    def for_organisation(self, organisation: Organisation | int) -> TenantQuerySet:
        return self.filter(organisation=organisation)
