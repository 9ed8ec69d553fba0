"""Outgoing webhooks: CloudEvents 1.0 (NL GOV profile), signed, retried, logged."""
