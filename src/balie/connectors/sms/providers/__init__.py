"""SMS provider adapters: ``base`` (what each provides), ``generic`` (Balie's own format),
``twilio``."""
