"""Data for the contract run: the demo municipalities (two, so another tenant's ids exist),
their staff and an API key with every scope, plus a PNG and a PDF in a conversation of each.

Run as ``python tests/contract/seed.py`` with ``BALIE_DATA_DIR`` set: migrates, seeds, and
prints the first organisation's API key on stdout. Everything goes through the actions.
"""

from __future__ import annotations

import io
import os
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balie.conf.settings")
django.setup()

import pikepdf  # noqa: E402
from django.core.management import call_command  # noqa: E402 - after django.setup()
from PIL import Image  # noqa: E402

from balie.accounts.models import ApiKey  # noqa: E402
from balie.conversations import actions  # noqa: E402
from balie.conversations.models import Conversation, Direction  # noqa: E402
from balie.ops import demo_data  # noqa: E402


def pdf() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def attach_files() -> None:
    for organisation_id in ApiKey.objects.values_list("organisation_id", flat=True):
        conversation = (
            Conversation.objects.filter(organisation_id=organisation_id).order_by("pk").first()
        )
        ids = [
            actions.do_store_attachment(conversation, data=data, filename=name).pk
            for data, name in ((png(), "foto.png"), (pdf(), "brief.pdf"))
        ]
        actions.do_send_message(
            conversation,
            direction=Direction.INBOUND,
            body="Hierbij de foto en de brief.",
            client_id=f"contract-{uuid.uuid4().hex}",
            attachment_ids=ids,
        )


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    keys = demo_data.seed()
    attach_files()
    print(keys["utrecht"])


if __name__ == "__main__":
    main()
