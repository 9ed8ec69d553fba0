"""Unknown addresses under /api/v1/ answer in the API's error shape, not with an HTML page."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.views import APIView


class NotFoundView(APIView):
    schema = None  # not part of the contract
    authentication_classes: list = []
    permission_classes: list = []

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()
