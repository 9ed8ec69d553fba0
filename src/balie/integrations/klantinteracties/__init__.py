"""Registering resolved conversations in the Klantinteracties API (Open Klant 2.x).

- ``models``: the organisation's ``Connection`` and a conversation's ``Registration`` (the
  outbox row, with the addresses Open Klant gave);
- ``outbox``: the archive listener that hears of a resolution and queues the registration
  in the same transaction; an administrator's retry;
- ``tasks``: the task that registers, with retries, backoff and jitter;
- ``registering``: one attempt, step by step, storing each address at once;
- ``content``: what is sent (and what is not: no message text);
- ``client``: the HTTP client; ``outcomes``: the state changes and error texts;
- ``connection``: setting up the connection; ``selectors``: reading it all.
"""
