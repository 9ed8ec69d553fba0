"""Staff sockets end with the session that opened them (issue 10, finding 4).

Every staff socket joins its user's group. When an action announces that a user's access
changed (logout, new password, deactivation, another role, another team), each of that user's
sockets reads its session again: an ended session closes the socket with 4401 (the console
goes to the login page); changed visibility closes it with 4409 (the console reconnects at
once and sees what the user may see now). In case such a message is lost, a socket also
re-reads its session on its next frame or event once ``STAFF_SESSION_RECHECK_SECONDS`` have
passed since the last read.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

# Close codes of the staff socket (docs/realtime.md).
SESSION_ENDED = 4401
ACCESS_CHANGED = 4409

ACCESS_CHANGED_MESSAGE = {"type": "balie.access_changed"}


def user_group(user_id: int) -> str:
    return f"staff-{user_id}"


def on_access_changed(sender, user_ids: list[int], **kwargs) -> None:
    """Receiver of ``accounts.actions.staff_access_changed`` (connected in apps.py)."""
    layer = get_channel_layer()
    if layer is None:
        return
    pairs = [(user_group(user_id), ACCESS_CHANGED_MESSAGE) for user_id in user_ids]
    send_now = getattr(layer, "send_now", None)  # several nodes: one publish
    if send_now is not None:
        send_now(pairs)
        return
    for group, message in pairs:
        async_to_sync(layer.group_send)(group, message)
