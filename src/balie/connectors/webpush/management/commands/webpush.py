"""``balie webpush keys``: a new VAPID key pair for BALIE_VAPID_PRIVATE_KEY;
``balie webpush public-key``: the key the installation pushes with now."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid02

from balie.connectors.webpush import keys


class Command(BaseCommand):
    help = "Web Push: make a VAPID key pair, or show the public key in use."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["keys", "public-key"])

    def handle(self, *args, action: str, **options) -> None:
        if action == "public-key":
            self.stdout.write(keys.public_key())
            return
        private = keys.generate_private_key()
        point = Vapid02.from_raw(private.encode("ascii")).public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.stdout.write(f"BALIE_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"# public key (applicationServerKey): {keys.b64url(point)}")
