from django.urls import include, path

from balie.web import health

handler500 = "balie.api.errors.server_error"  # JSON under /api/, Django's page elsewhere

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("balie.api.urls")),
    path("console/", include("balie.web.console.urls")),
    path("", include("balie.web.resident.urls")),
]
