"""What every API view shares: JSON in, scopes per method, the actor for the selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from balie.accounts.models import ApiScope
from balie.api.parsers import JsonParser
from balie.api.permissions import HasApiScope, IsStaffPrincipal, principal, staff_user
from balie.api.query import check_query
from balie.api.serializers.errors import ErrorSerializer

__all__ = ["ApiView", "ApiViewMixin", "errors", "path_id", "principal", "staff_user"]


class ApiViewMixin:
    parser_classes = [JsonParser]
    permission_classes = [IsStaffPrincipal, HasApiScope]
    read_scope = ApiScope.CONVERSATIONS_READ
    write_scope = ApiScope.CONVERSATIONS_WRITE

    query_serializer: type[Serializer] | None = None  # the GET parameters (balie.api.query)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query(request, self)  # bodies: see JsonParser


class ApiView(ApiViewMixin, APIView):
    pass


_DESCRIPTIONS = {
    400: "Ongeldige invoer (code, detail en per veld in fields).",
    401: "Niet ingelogd, of een onbekende of ingetrokken API-sleutel.",
    403: "Geen toestemming (rol, ontbrekende scope of CSRF).",
    404: "Bestaat niet, of niet zichtbaar voor u.",
    409: "Botst met wat er al is opgeslagen (code en detail).",
    413: "Het bestand is te groot.",
    429: "Te veel: te veel verzonden of te veel bestanden nog niet verstuurd (code en detail; "
    "Retry-After zegt na hoeveel seconden het weer kan, als wachten helpt).",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for the schema; 400 (a query parameter that is not declared), 401
    and 403 are always possible."""
    wanted = sorted({400, 401, 403, *statuses})
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in wanted}


def path_id(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH, description=description)
