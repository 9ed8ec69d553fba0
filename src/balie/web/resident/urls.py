from django.urls import path

from balie.web import theming
from balie.web.resident import login, push, pwa, views

app_name = "resident"
urlpatterns = [
    path("c/<slug:slug>/", views.chat, name="chat"),
    path("c/<slug:slug>/upload/", views.upload, name="upload"),
    path("c/<slug:slug>/widget.js", views.widget, name="widget"),
    path("c/<slug:slug>/theme.css", theming.theme_css, name="theme_css"),
    path("c/<slug:slug>/logo", theming.logo, name="logo"),
    path("c/<slug:slug>/embed-example/", views.embed_example, name="embed_example"),
    # The installable app and its notifications (docs/guides/resident-app.md).
    path("c/<slug:slug>/manifest.webmanifest", pwa.manifest, name="manifest"),
    path("c/<slug:slug>/icons/<str:name>.png", pwa.icon, name="icon"),
    path("c/<slug:slug>/sw.js", pwa.service_worker, name="service_worker"),
    path("c/<slug:slug>/offline/", pwa.offline, name="offline"),
    path("c/<slug:slug>/push/", push.push_subscription, name="push"),
    path("c/<slug:slug>/login/", login.login, name="login"),
    path("c/<slug:slug>/login/callback/", login.callback, name="login_callback"),
    path("c/<slug:slug>/logout/", login.logout, name="logout"),
    path("c/<slug:slug>/me/link/", login.link, name="link"),
    path(
        "c/<slug:slug>/history/<str:conversation_id>/",
        login.history_conversation,
        name="history_conversation",
    ),
    # After the slug routes, so an organisation slugged "a" keeps its upload URL.
    path("c/a/<str:signed>/", views.attachment, name="attachment"),
]
