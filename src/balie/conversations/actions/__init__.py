"""Every write to conversations goes through these functions.

``check_*`` validates input from outside and raises :class:`ActionError` with a precise
message; ``do_*`` writes, records the archive event in the same transaction, and schedules
the real-time fan-out for after commit. One module per concern; import from here.
"""

from balie.conversations.actions.attachments import do_store_attachment
from balie.conversations.actions.availability import (
    do_mark_absent_offline,
    do_mark_seen,
    do_set_availability,
    do_set_capacity,
    do_set_team_routing,
)
from balie.conversations.actions.canned import (
    do_create_canned_answer,
    do_delete_canned_answer,
    do_update_canned_answer,
    fill_canned_answer,
)
from balie.conversations.actions.channels import do_start_conversation
from balie.conversations.actions.collision import do_set_team_collision
from balie.conversations.actions.editing import do_delete_message, do_edit_message
from balie.conversations.actions.errors import (
    ActionError,
    ClientIdConflict,
    StateConflict,
    UnknownReference,
)
from balie.conversations.actions.handling import (
    do_add_team_member,
    do_assign,
    do_change_status,
    do_create_team,
    do_update_details,
)
from balie.conversations.actions.identity import do_identify_resident, do_link_conversation
from balie.conversations.actions.messages import (
    MAX_ATTACHMENTS,
    check_attachment_ids,
    check_client_id,
    check_send_message,
    clean_body,
    do_mark_read,
    do_send_message,
)
from balie.conversations.actions.routing import route_conversation
from balie.conversations.actions.sending import SendItem, SendResult, send_messages
from balie.conversations.actions.webchat import do_start_webchat, hash_token
from balie.conversations.delivery import (
    do_record_channel_status,
    do_record_delivery,
    do_retry_delivery,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "ActionError",
    "ClientIdConflict",
    "SendItem",
    "SendResult",
    "StateConflict",
    "UnknownReference",
    "check_attachment_ids",
    "check_client_id",
    "check_send_message",
    "clean_body",
    "do_create_canned_answer",
    "do_set_team_collision",
    "do_delete_canned_answer",
    "do_update_canned_answer",
    "fill_canned_answer",
    "do_assign",
    "do_change_status",
    "do_add_team_member",
    "do_create_team",
    "do_delete_message",
    "do_edit_message",
    "do_identify_resident",
    "do_link_conversation",
    "do_mark_absent_offline",
    "do_mark_read",
    "do_mark_seen",
    "do_record_channel_status",
    "do_record_delivery",
    "do_retry_delivery",
    "do_send_message",
    "do_set_availability",
    "do_set_capacity",
    "do_set_team_routing",
    "do_start_conversation",
    "do_start_webchat",
    "do_store_attachment",
    "do_update_details",
    "hash_token",
    "route_conversation",
    "send_messages",
]
