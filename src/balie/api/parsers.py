"""Request parsers: JSON whose syntax errors carry the code ``malformed_json``."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from balie.api.errors import MalformedJson


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError:
            raise MalformedJson() from None
