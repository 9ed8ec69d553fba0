from django.urls import path

from balie.web.resident import views

app_name = "resident"
urlpatterns = [
    path("c/<slug:slug>/", views.chat, name="chat"),
    path("c/<slug:slug>/upload/", views.upload, name="upload"),
    path("c/<slug:slug>/widget.js", views.widget, name="widget"),
    path("c/<slug:slug>/embed-example/", views.embed_example, name="embed_example"),
    # After the slug routes, so an organisation slugged "a" keeps its upload URL.
    path("c/a/<str:signed>/", views.attachment, name="attachment"),
]
