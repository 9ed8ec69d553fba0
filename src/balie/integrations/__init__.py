"""Integrations with the municipality's other systems: the Klantinteracties API (Open Klant),
outgoing webhooks (CloudEvents) and the Notificaties API. Each is its own Django app below
this package; each hears of changes through ``balie.archive.listeners`` and writes an
outbox row in the same transaction, which a task sends with retries."""
