"""REST API v1, mounted at /api/v1/ (see docs/api.md and openapi.yaml)."""

from django.urls import path, re_path

from balie.api import (
    agents,
    attachments,
    audit,
    channels,
    contacts,
    conversations,
    klantinteracties,
    messages,
    notificaties,
    records,
    schema,
    search,
    webhooks,
    whatsapp,
    woo,
    woo_review,
)
from balie.api.notfound import NotFoundView

app_name = "api"

urlpatterns = [
    path("conversations/", conversations.ConversationListView.as_view(), name="conversations"),
    path(
        "conversations/<str:conversation_id>/",
        conversations.ConversationDetailView.as_view(),
        name="conversation",
    ),
    path(
        "conversations/<str:conversation_id>/messages/",
        messages.MessagesView.as_view(),
        name="messages",
    ),
    path(
        "conversations/<str:conversation_id>/messages/<str:message_id>/retry/",
        messages.RetryDeliveryView.as_view(),
        name="retry-delivery",
    ),
    path(
        "conversations/<str:conversation_id>/attachments/",
        attachments.AttachmentUploadView.as_view(),
        name="attachments",
    ),
    path(
        "conversations/<str:conversation_id>/assign/",
        conversations.AssignView.as_view(),
        name="assign",
    ),
    path(
        "conversations/<str:conversation_id>/status/",
        conversations.StatusView.as_view(),
        name="status",
    ),
    path(
        "attachments/<str:attachment_id>/",
        attachments.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path("agents/me/status/", agents.MyStatusView.as_view(), name="agent-status"),
    path("contacts/", contacts.ContactListView.as_view(), name="contacts"),
    path("contacts/<str:contact_id>/", contacts.ContactDetailView.as_view(), name="contact"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("saved-searches/", search.SavedSearchListView.as_view(), name="saved-searches"),
    path(
        "saved-searches/<str:saved_search_id>/",
        search.SavedSearchDetailView.as_view(),
        name="saved-search",
    ),
    path("audit/", audit.AuditListView.as_view(), name="audit"),
    path("audit/export/", audit.AuditExportView.as_view(), name="audit-export"),
    path("integrity/", audit.IntegrityListView.as_view(), name="integrity"),
    path("record-classes/", records.RecordClassListView.as_view(), name="record-classes"),
    path(
        "record-classes/<str:record_class_id>/",
        records.RecordClassDetailView.as_view(),
        name="record-class",
    ),
    path("retention/due/", records.DueListView.as_view(), name="retention-due"),
    path("channels/", channels.ChannelListView.as_view(), name="channels"),
    path("channels/<str:channel_id>/", channels.ChannelDetailView.as_view(), name="channel"),
    *whatsapp.urlpatterns,
    *klantinteracties.urlpatterns,
    *webhooks.urlpatterns,
    *notificaties.urlpatterns,
    path("woo/requests/", woo.WooRequestListView.as_view(), name="woo-requests"),
    path("woo/publicatiebank/", woo.PublisherView.as_view(), name="woo-publicatiebank"),
    path(
        "woo/requests/<str:request_id>/publication/",
        woo.PublishView.as_view(),
        name="woo-publish",
    ),
    path("woo/requests/<str:request_id>/", woo.WooRequestDetailView.as_view(), name="woo-request"),
    path("woo/requests/<str:request_id>/status/", woo.StatusView.as_view(), name="woo-status"),
    path("woo/requests/<str:request_id>/extension/", woo.ExtendView.as_view(), name="woo-extend"),
    path(
        "woo/requests/<str:request_id>/suspension/", woo.SuspendView.as_view(), name="woo-suspend"
    ),
    path(
        "woo/requests/<str:request_id>/suspension/end/",
        woo.EndSuspensionView.as_view(),
        name="woo-resume",
    ),
    path("woo/requests/<str:request_id>/documents/", woo.CollectView.as_view(), name="woo-collect"),
    path(
        "woo/requests/<str:request_id>/documents/<str:number>/",
        woo_review.DocumentView.as_view(),
        name="woo-document",
    ),
    path(
        "woo/requests/<str:request_id>/documents/<str:number>/decision/",
        woo_review.DecisionView.as_view(),
        name="woo-decision",
    ),
    path(
        "woo/requests/<str:request_id>/documents/<str:number>/redactions/",
        woo_review.AddRedactionView.as_view(),
        name="woo-add-redaction",
    ),
    path(
        "woo/requests/<str:request_id>/proposals/",
        woo_review.ProposeView.as_view(),
        name="woo-propose",
    ),
    path(
        "woo/requests/<str:request_id>/redactions/<str:redaction_id>/",
        woo_review.RedactionView.as_view(),
        name="woo-redaction",
    ),
    path(
        "woo/requests/<str:request_id>/everywhere/",
        woo_review.EverywhereView.as_view(),
        name="woo-everywhere",
    ),
    path("woo/requests/<str:request_id>/package/", woo.PackageView.as_view(), name="woo-package"),
    path(
        "woo/requests/<str:request_id>/package/<str:name>",
        woo.PackagePartView.as_view(),
        name="woo-package-part",
    ),
    path("retention/reviews/", records.ReviewListView.as_view(), name="retention-reviews"),
    path("holds/", records.HoldListView.as_view(), name="holds"),
    path("holds/<str:hold_id>/release/", records.HoldReleaseView.as_view(), name="hold-release"),
    path("destruction-lists/", records.DestructionListView.as_view(), name="destruction-lists"),
    path(
        "destruction-lists/<str:list_id>/",
        records.DestructionListDetailView.as_view(),
        name="destruction-list",
    ),
    path(
        "destruction-lists/<str:list_id>/approve/",
        records.DestructionApproveView.as_view(),
        name="destruction-approve",
    ),
    path(
        "destruction-lists/<str:list_id>/reject/",
        records.DestructionRejectView.as_view(),
        name="destruction-reject",
    ),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
