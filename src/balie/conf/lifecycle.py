"""Where this process is in its life: serving, or draining before it exits.

``balie serve`` marks the process as draining when SIGTERM arrives (docs/operations/
scale-out.md, "Stopping a node"): ``/readyz`` then answers 503 so the load balancer sends no
new connections, while open sockets are told to reconnect elsewhere and in-flight batches
finish. A flag per process, read without locking (a bool is set atomically).
"""

from __future__ import annotations

_draining = False


def is_draining() -> bool:
    return _draining


def start_draining() -> None:
    global _draining
    _draining = True


def reset() -> None:
    """For tests: serving again."""
    global _draining
    _draining = False
