"""Names of the kinds of file a resident can send on WhatsApp, as staff read them."""

from __future__ import annotations

from django.utils.translation import gettext as _

__all__ = ["media_label"]


def media_label(kind: str) -> str:
    """In the active language: "photo", "document", …"""
    labels = {
        "image": _("photo"),
        "document": _("document"),
        "audio": _("voice message or audio"),
        "video": _("video"),
        "sticker": _("sticker"),
    }
    return labels.get(kind, kind)
