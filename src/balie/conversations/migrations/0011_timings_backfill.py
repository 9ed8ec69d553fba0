"""The dashboard's timings for the conversations from before they were kept (0009 added them).

Set-based: one UPDATE per batch of ids with subqueries over the messages (``seq`` orders a
conversation's messages), never a conversation loaded into Python. Only empty fields are
filled, so running it again changes nothing. Imported conversations get none: they count in
no statistics.

- ``first_response_at``: the first outbound message.
- ``waiting_since``: for open and pending conversations, the first resident message after the
  last outbound one (none after it: not waiting).
- ``resolved_at``: for resolved and closed conversations, the closing moment, else the last
  message (resolving writes a status line, so it is at most that line's time; an estimate).
- ``assigned_at``: for assigned conversations, the last assignment line ("Toegewezen aan …",
  which ``do_assign`` writes in Dutch whatever the language).

Not atomic: each batch commits on its own, so a large table is not one long transaction.
"""

from django.db import migrations
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

BATCH = 20_000


def fill(apps, schema_editor):
    conversation_model = apps.get_model("conversations", "Conversation")
    message_model = apps.get_model("conversations", "Message")
    conversations = conversation_model.objects.exclude(kind="imported").order_by()
    if not conversations.exists():
        return
    highest = conversations.aggregate(highest=Max("pk"))["highest"]
    of_it = message_model.objects.filter(conversation=OuterRef("pk")).order_by()
    first_answer = of_it.filter(direction="outbound").order_by("seq").values("created_at")[:1]
    last_answer_seq = (
        message_model.objects.filter(conversation=OuterRef(OuterRef("pk")), direction="outbound")
        .order_by("-seq")
        .values("seq")[:1]
    )
    unanswered = (
        of_it.filter(direction="inbound", seq__gt=Coalesce(Subquery(last_answer_seq), 0))
        .order_by("seq")
        .values("created_at")[:1]
    )
    assigned = (
        of_it.filter(direction="system", body__startswith="Toegewezen aan ")
        .order_by("-seq")
        .values("created_at")[:1]
    )
    for start in range(0, highest + 1, BATCH):
        batch = conversations.filter(pk__gte=start, pk__lt=start + BATCH)
        batch.filter(first_response_at__isnull=True).update(
            first_response_at=Subquery(first_answer)
        )
        batch.filter(waiting_since__isnull=True, status__in=("open", "pending")).update(
            waiting_since=Subquery(unanswered)
        )
        batch.filter(resolved_at__isnull=True, status__in=("resolved", "closed")).update(
            resolved_at=Coalesce("closed_at", "last_message_at", "created_at")
        )
        batch.filter(Q(assigned_at__isnull=True) & Q(assignee__isnull=False)).update(
            assigned_at=Subquery(assigned)
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("conversations", "0010_agent_seen"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
