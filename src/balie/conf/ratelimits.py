"""Settings of the limits against abuse of the resident chat (``balie.conversations.limits``).

Declared here, beside ``settings.py``, which imports each of them by name. The defaults are
for one municipality's chat: a resident types a message every few seconds at most, uploads a
few photos or documents, and many residents share one address behind a mobile carrier's or an
office's NAT (docs/realtime.md, "Limits", says how to tune them).
"""

from __future__ import annotations

from balie.conf.env import config

MB = 1024 * 1024

NEW_CHATS_PER_HOUR = config(
    "BALIE_NEW_CHATS_PER_HOUR",
    20,
    "New web chats one IP address may start per hour (against abuse).",
)
RESIDENT_FRAMES_PER_10S = config(
    "BALIE_RESIDENT_FRAMES_PER_10S",
    30,
    "WebSocket frames one resident socket may send per 10 seconds (messages, typing, …).",
)
STAFF_FRAMES_PER_10S = config(
    "BALIE_STAFF_FRAMES_PER_10S",
    120,
    "WebSocket frames one staff socket may send per 10 seconds.",
)
LIMIT_FRAMES_PER_TOKEN = config(
    "BALIE_LIMIT_FRAMES_PER_TOKEN",
    30,
    "Frames (messages, typing, read, …) all sockets of one resident's device token together "
    "may send per 10 seconds; more are answered with a rate_limited error and not stored. "
    "0: no limit.",
)
LIMIT_MESSAGES_PER_CONVERSATION = config(
    "BALIE_LIMIT_MESSAGES_PER_CONVERSATION",
    20,
    "Messages, edits and deletions a resident may send into one conversation per 10 seconds, "
    "over all sockets. 0: no limit.",
)
LIMIT_FRAMES_PER_IP = config(
    "BALIE_LIMIT_FRAMES_PER_IP",
    300,
    "Resident frames one IP address (IPv6: one /64) may send per 10 seconds over all its "
    "sockets; high because many residents can share an address (NAT). 0: no limit.",
)
LIMIT_SOCKETS_PER_IP = config(
    "BALIE_LIMIT_SOCKETS_PER_IP",
    50,
    "Resident WebSockets one IP address (IPv6: one /64) may hold open at once; one more is "
    "closed with code 4429. 0: no limit.",
)
LIMIT_UPLOADS_PER_TOKEN = config(
    "BALIE_LIMIT_UPLOADS_PER_TOKEN",
    20,
    "Files one resident's device token may upload per hour. 0: no limit.",
)
LIMIT_UPLOAD_BYTES_PER_TOKEN = config(
    "BALIE_LIMIT_UPLOAD_BYTES_PER_TOKEN",
    50 * MB,
    "Bytes one resident's device token may upload per hour. 0: no limit.",
)
LIMIT_UPLOADS_PER_IP = config(
    "BALIE_LIMIT_UPLOADS_PER_IP",
    200,
    "Files residents at one IP address (IPv6: one /64) may upload per hour. 0: no limit.",
)
LIMIT_UPLOAD_BYTES_PER_IP = config(
    "BALIE_LIMIT_UPLOAD_BYTES_PER_IP",
    500 * MB,
    "Bytes residents at one IP address (IPv6: one /64) may upload per hour. 0: no limit.",
)
LIMIT_UNSENT_UPLOADS = config(
    "BALIE_LIMIT_UNSENT_UPLOADS",
    10,
    "Files uploaded to one conversation by one side (resident, or staff) and not yet sent "
    "with a message; one more is refused until some are sent or cleaned up. 0: no limit.",
)
LIMIT_UNSENT_UPLOAD_BYTES = config(
    "BALIE_LIMIT_UNSENT_UPLOAD_BYTES",
    40 * MB,
    "Bytes of files uploaded to one conversation by one side and not yet sent. 0: no limit.",
)
UNSENT_UPLOADS_MAX_AGE_HOURS = config(
    "BALIE_UNSENT_UPLOADS_MAX_AGE_HOURS",
    24,
    "Hours after which a file that was uploaded but never sent with a message is deleted "
    "(row and file) by the daily job 'unsent-uploads'.",
)
