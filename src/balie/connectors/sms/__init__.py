"""The SMS channel (docs: the SMS guide): one connector for the ``sms`` kind with provider
adapters in ``providers/`` (``generic``, ``twilio``); phone numbers (``numbers``), segment
counts (``segments``), joining long messages (``joining``), delivery reports (``reports``)."""
