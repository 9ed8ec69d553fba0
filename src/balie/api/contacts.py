"""Contacts of the organisations the actor belongs to (API keys: scope contacts:read)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from balie.accounts.models import ApiScope
from balie.api.base import ApiView, ApiViewMixin, errors, path_id, principal
from balie.api.filters import filter_contacts
from balie.api.serializers.contacts import ContactFilterSerializer, ContactSerializer
from balie.conversations import selectors


class ContactScope:
    read_scope = ApiScope.CONTACTS_READ


class ContactListView(ContactScope, ApiViewMixin, generics.ListAPIView):
    serializer_class = ContactSerializer
    query_serializer = ContactFilterSerializer

    def get_queryset(self):
        params = ContactFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        visible = selectors.contacts_visible_to(principal(self.request))
        return filter_contacts(visible.select_related("organisation"), params.validated_data)

    @extend_schema(
        operation_id="contacts_list",
        summary="List contacts",
        parameters=[ContactFilterSerializer],
        responses={200: ContactSerializer(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        filters = {key: self.request.query_params.get(key) for key in self.request.query_params}
        selectors.record_list_read(principal(self.request), page, kind="contact", filters=filters)
        return page


class ContactDetailView(ContactScope, ApiView):
    @extend_schema(
        operation_id="contacts_retrieve",
        summary="One contact",
        parameters=[path_id("contact_id", "Id of the contact.")],
        responses={200: ContactSerializer, **errors(404)},
    )
    def get(self, request, contact_id):
        contact = selectors.access_contact(principal(request), contact_id)
        return Response(ContactSerializer(contact).data)
