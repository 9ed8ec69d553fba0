"""Request parsers: JSON whose syntax errors carry the code ``malformed_json``, and whose
texts and numbers the database can store (:func:`balie.conversations.actions.checks.check_json`:
``invalid_text``, ``invalid_field``)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from balie.api.errors import MalformedJson
from balie.conversations.actions.checks import check_json


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError:
            raise MalformedJson() from None
        check_json(data)
        return data
