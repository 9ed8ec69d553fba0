"""``balie sms-segments TEXT`` (or ``-`` to read standard input): how many SMS a text takes,
in which encoding — what the provider will split it into and bill."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from balie.connectors.sms.segments import count_segments


class Command(BaseCommand):
    help = "How many SMS a text takes (GSM-7: 160, or 153 per part; UCS-2: 70, or 67)."

    def add_arguments(self, parser):
        parser.add_argument("text", help="The text, or - to read it from standard input.")

    def handle(self, *args, text, **options):
        if text == "-":
            text = sys.stdin.read()
        found = count_segments(text)
        self.stdout.write(
            _("%(count)s SMS, %(encoding)s: %(units)s units, %(per)s per SMS")
            % {
                "count": found.count,
                "encoding": found.encoding,
                "units": found.units,
                "per": found.per_segment,
            }
        )
