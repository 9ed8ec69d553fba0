"""Officials' work chats from their phones' export files (WhatsApp, SMS, Telegram) into the
archive: parse, propose a selection, store only what is business (issue 4)."""
