"""The search index's row per message, and saved searches.

``SearchEntry`` is one row per indexed message. It repeats what never changes about its
message (organisation, conversation, time, kind) so that a search filters on the entry alone,
without reading the message table for every match. It also copies the conversation's
status, channel, team and record class, kept in step by
:func:`balie.search.index.follow_conversations` in the transaction of every change (decision
0017). On PostgreSQL those are columns of the GIN index beside the words, so "graag" in open
SMS conversations is intersected inside the index instead of checking every message with
"graag". The copies filter; who may see a conversation is still decided on the conversation.
On SQLite ``terms`` holds the stems and an FTS5 table (``search_fts``, external content)
is kept in step with it by triggers, so every write or delete of an entry (also Django's
test flush) updates the full-text index. On PostgreSQL ``terms`` stays empty and a
``document tsvector`` column with a GIN index (added by the PostgreSQL-only migrations)
holds ``to_tsvector('dutch', …)``. Both are written by :mod:`balie.search.index` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from balie.conversations.models import Conversation, Message
from balie.tenants.models import Organisation, TenantQuerySet


class SearchEntry(models.Model):
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    # Copies of the message's fixed attributes (a message never moves, nor changes time or
    # kind). The message's own foreign key removes the entry; these never cascade.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_index=False, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.DO_NOTHING, db_index=False, related_name="+"
    )
    created_at = models.DateTimeField()
    direction = models.CharField(max_length=16)
    # Copies of the conversation's attributes that searches narrow by (plain numbers, not
    # references: an entry never holds up a change of its conversation).
    status = models.CharField(max_length=16, blank=True, help_text="The conversation's status.")
    channel = models.CharField(max_length=16, blank=True, help_text="The conversation's channel.")
    team_id = models.BigIntegerField(null=True, blank=True, help_text="The conversation's team.")
    record_class_id = models.BigIntegerField(
        null=True, blank=True, help_text="The conversation's record class."
    )
    terms = models.TextField(blank=True, help_text="SQLite: the stems FTS5 indexes.")

    class Meta:
        db_table = "search_entry"
        # Made by migration 0005 with raw SQL (Django would rebuild SQLite's table).
        indexes = [models.Index(fields=["conversation"], name="search_entry_conversation")]

    def __str__(self) -> str:
        return f"search entry of message {self.message_id}"


class SavedSearch(models.Model):
    """A search a member of staff kept, to run again (or to place a legal hold on)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="saved_searches"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=500, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
