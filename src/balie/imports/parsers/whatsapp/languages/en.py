"""English: WhatsApp's own wording in exports made on a phone set to English."""

TABLE = {
    "code": "en",
    "media_android": ("<Media omitted>",),  # Android writes one marker for every kind
    "media_ios": {
        "image": "image omitted",
        "video": "video omitted",
        "audio": "audio omitted",
        "gif": "GIF omitted",
        "sticker": "sticker omitted",
        "document": "document omitted",
        "contact": "Contact card omitted",
    },
    "deleted": ("This message was deleted", "You deleted this message"),
    "file_attached": ("file attached",),  # Android: "IMG-….jpg (file attached)"
    "attached_ios": ("attached",),  # iOS: "<attached: 00000012-PHOTO-….jpg>"
    "location": ("location", "Location"),  # "location: https://maps.google.com/?q=…"
    "edited": ("This message was edited",),
    "system": (
        "end-to-end encrypted",
        "created group",
        "created this group",
        " added ",
        " added you",
        " left",
        " removed ",
        "changed the subject",
        "changed this group's icon",
        "changed the group description",
        "security code",
        "joined using this group's invite link",
        "disappearing messages",
        "missed voice call",
        "missed video call",
        "changed their phone number",
        "you're now an admin",
    ),
    "title_prefix": ("WhatsApp Chat with ", "WhatsApp Chat - "),
    "title_suffix": (),
    "hints": ("encrypted", "omitted", "attached", "deleted"),
}
