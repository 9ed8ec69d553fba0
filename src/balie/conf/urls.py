from django.urls import include, path

from balie.web import health, hooks

handler500 = "balie.api.errors.server_error"  # JSON under /api/, Django's page elsewhere

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("balie.api.urls")),
    path("hooks/<str:public_id>/", hooks.channel_webhook, name="channel_webhook"),
    path("console/", include("balie.web.console.urls")),
    path("", include("balie.web.resident.urls")),
]
