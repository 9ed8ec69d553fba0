"""What only WhatsApp needs: an organisation's message templates (outside the 24-hour window
only an approved template may be sent), which template an outbound message is, and the
WhatsApp messages an outbound message went out as (a text and each file are separate
WhatsApp messages; a retry sends only the parts not yet accepted)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from balie.connectors.models import ChannelAccount
from balie.conversations.models import Message
from balie.tenants.models import Organisation, TenantQuerySet

__all__ = ["OutboundPart", "Template", "TemplateMessage"]


class Template(models.Model):
    """A message template as approved at Meta for the account's WhatsApp Business Account:
    its ``name`` and ``language`` there, and its ``body`` with ``{{1}}``, ``{{2}}`` … for the
    values staff fill in. Only an ``approved`` one is offered and sent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=512, help_text=_("The template's name at Meta."))
    language = models.CharField(max_length=15, help_text=_("Its language code, e.g. nl or en_US."))
    body = models.TextField(help_text=_("Its text, with {{1}}, {{2}} … for the values."))
    approved = models.BooleanField(default=False, help_text=_("Approved by Meta."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["account_id", "name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name", "language"], name="whatsapp_template_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class TemplateMessage(models.Model):
    """An outbound message that is a template: sent as one, with these ``parameters``."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.message_id}: {self.template_id}"


class OutboundPart(models.Model):
    """Part ``index`` of an outbound message, accepted by WhatsApp as ``external_id``."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveSmallIntegerField()
    external_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "index"], name="whatsapp_outbound_part")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.index}: {self.external_id}"
