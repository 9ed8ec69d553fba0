"""The e-mail connector: a mailbox of an organisation as a channel (see docs/channels-email)."""
