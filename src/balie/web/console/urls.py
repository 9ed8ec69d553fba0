from django.urls import path
from django.views.i18n import JavaScriptCatalog

from balie.web.console import (
    attachments,
    audit,
    auth,
    channels,
    conversation,
    imports,
    inbox,
    klantinteracties,
    notificaties,
    records,
    search,
    webhooks,
    woo,
    woo_review,
)

app_name = "console"
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.ConsoleLoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.set_language, name="language"),
    # The console script's texts (djangojs catalogue) in the language of the switch.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="jsi18n"),
    path("conversations/<int:conversation_id>/upload/", attachments.upload, name="upload"),
    path("conversations/<int:conversation_id>/assign/", conversation.assign, name="assign"),
    path("conversations/<int:conversation_id>/status/", conversation.change_status, name="status"),
    path("conversations/<int:conversation_id>/details/", conversation.details, name="details"),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/retry/",
        conversation.retry_delivery,
        name="retry_delivery",
    ),
    path(
        "conversations/<int:conversation_id>/record-class/",
        conversation.record_class,
        name="record_class",
    ),
    path("attachments/<int:attachment_id>/", attachments.download, name="attachment"),
    # Organisation slugs last, so a slug can never hide one of the paths above.
    path("<slug:slug>/", inbox.inbox, name="inbox"),
    path("<slug:slug>/unread/", inbox.unread, name="unread"),
    path("<slug:slug>/search/", search.search, name="search"),
    path("<slug:slug>/imports/", imports.imports, name="imports"),
    path("<slug:slug>/imports/<str:token>/", imports.import_review, name="import_review"),
    path("<slug:slug>/search/save/", search.save, name="search_save"),
    path(
        "<slug:slug>/search/saved/<int:saved_search_id>/delete/",
        search.delete_saved,
        name="search_delete",
    ),
    path("<slug:slug>/audit/", audit.audit_log, name="audit"),
    path("<slug:slug>/audit/export/", audit.audit_export, name="audit_export"),
    path("<slug:slug>/integrity/", audit.integrity, name="integrity"),
    path("<slug:slug>/channels/", channels.overview, name="channels"),
    path("<slug:slug>/channels/add/", channels.add, name="channel_add"),
    path("<slug:slug>/channels/<int:account_id>/", channels.change, name="channel_change"),
    *klantinteracties.urlpatterns,
    *webhooks.urlpatterns,
    *notificaties.urlpatterns,
    path("<slug:slug>/woo/", woo.overview, name="woo"),
    path("<slug:slug>/woo/register/", woo.register, name="woo_register"),
    path("<slug:slug>/woo/publicatiebank/", woo.publisher, name="woo_publisher"),
    path("<slug:slug>/woo/<str:reference>/", woo.detail, name="woo_request"),
    path("<slug:slug>/woo/<str:reference>/act/", woo.act, name="woo_act"),
    path("<slug:slug>/woo/<str:reference>/package/", woo.package, name="woo_package"),
    path(
        "<slug:slug>/woo/<str:reference>/package/<str:name>",
        woo_review.package_part,
        name="woo_package_part",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/documents/<str:number>/",
        woo_review.document,
        name="woo_document",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/documents/<str:number>/data/",
        woo_review.document_data,
        name="woo_document_data",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/documents/<str:number>/redactions/",
        woo_review.add_redaction,
        name="woo_add_redaction",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/documents/<str:number>/decision/",
        woo_review.decide,
        name="woo_decide",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/redactions/<str:redaction_id>/",
        woo_review.redaction,
        name="woo_redaction",
    ),
    path(
        "<slug:slug>/woo/<str:reference>/everywhere/",
        woo_review.everywhere,
        name="woo_everywhere",
    ),
    path("<slug:slug>/records/", records.overview, name="records"),
    path(
        "<slug:slug>/records/record-classes/",
        records.save_record_class,
        name="record_class_save",
    ),
    path("<slug:slug>/records/holds/", records.place_hold, name="hold_place"),
    path(
        "<slug:slug>/records/holds/<int:hold_id>/release/",
        records.release_hold,
        name="hold_release",
    ),
    path("<slug:slug>/records/destruction/", records.propose, name="destruction_propose"),
    path(
        "<slug:slug>/records/destruction/<int:list_id>/",
        records.destruction,
        name="destruction",
    ),
    path(
        "<slug:slug>/records/destruction/<int:list_id>/review/",
        records.review,
        name="destruction_review",
    ),
]
