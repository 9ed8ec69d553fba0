"""The resident chat's words, in plain Dutch (B1) and English.

One catalogue, ``{key: {"nl": ..., "en": ...}}``. The page renders it as JSON and the chat
script switches language without a reload. ``{name}``-style placeholders are filled in by the
script. No gettext: the resident side is small and must switch live.
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")

STRINGS: dict[str, dict[str, str]] = {
    "message_edited": {"nl": "bewerkt", "en": "edited"},
    "message_deleted": {"nl": "Dit bericht is verwijderd.", "en": "This message was deleted."},
    "edit": {"nl": "Wijzigen", "en": "Edit"},
    "delete": {"nl": "Verwijderen", "en": "Delete"},
    "edit_prompt": {"nl": "Nieuwe tekst van uw bericht:", "en": "New text of your message:"},
    "delete_confirm": {
        "nl": "Wilt u dit bericht verwijderen? De gemeente bewaart het wel in het archief.",
        "en": "Delete this message? The municipality still keeps it in its archive.",
    },
    # page and header
    "page_title": {"nl": "Chat met {organisation}", "en": "Chat with {organisation}"},
    "intro": {
        "nl": "Stel hier uw vraag. Een medewerker van de gemeente antwoordt zo snel mogelijk.",
        "en": "Ask your question here. Someone from the municipality will answer as soon as "
        "possible.",
    },
    "privacy": {
        "nl": "Stuur alleen gegevens die nodig zijn voor uw vraag.",
        "en": "Only send details that are needed for your question.",
    },
    "switch_language": {"nl": "English", "en": "Nederlands"},
    "switch_language_label": {"nl": "Switch to English", "en": "Schakel naar Nederlands"},
    "switch_language_lang": {"nl": "en", "en": "nl"},
    "messages_label": {"nl": "Berichten in dit gesprek", "en": "Messages in this conversation"},
    "empty": {
        "nl": "Nog geen berichten. Typ hieronder uw vraag.",
        "en": "No messages yet. Type your question below.",
    },
    # composer
    "composer_label": {"nl": "Uw bericht", "en": "Your message"},
    "composer_placeholder": {"nl": "Typ uw bericht", "en": "Type your message"},
    "send": {"nl": "Versturen", "en": "Send"},
    "attach": {"nl": "Foto of PDF toevoegen", "en": "Add a photo or PDF"},
    "attach_hint": {
        "nl": "Foto of PDF, maximaal {mb} MB.",
        "en": "Photo or PDF, at most {mb} MB.",
    },
    "char_limit": {
        "nl": "Uw bericht is te lang. Het maximum is {max} tekens.",
        "en": "Your message is too long. The maximum is {max} characters.",
    },
    # messages
    "you": {"nl": "U", "en": "You"},
    "you_wrote": {"nl": "U schreef:", "en": "You wrote:"},
    "agent_wrote": {
        "nl": "{name} van de gemeente schreef:",
        "en": "{name} from the municipality wrote:",
    },
    "municipality": {"nl": "Gemeente", "en": "Municipality"},
    "status_pending": {"nl": "Wordt verstuurd…", "en": "Sending…"},
    "status_sent": {"nl": "Verstuurd", "en": "Sent"},
    "status_read": {"nl": "Gelezen", "en": "Read"},
    "status_failed": {"nl": "Niet verstuurd", "en": "Not sent"},
    "photo_alt": {"nl": "Foto: {name}", "en": "Photo: {name}"},
    "pdf_link": {"nl": "{name} (PDF, {size})", "en": "{name} (PDF, {size})"},
    "announce_message": {
        "nl": "Nieuw bericht van {name}: {body}",
        "en": "New message from {name}: {body}",
    },
    "announce_file": {"nl": "een bestand", "en": "a file"},
    "typing": {"nl": "De gemeente typt…", "en": "The municipality is typing…"},
    # connection
    "connecting": {"nl": "Verbinding maken…", "en": "Connecting…"},
    "offline": {
        "nl": "Geen verbinding. We proberen het opnieuw. Uw berichten gaan niet verloren.",
        "en": "No connection. We keep trying. Your messages will not be lost.",
    },
    "connected": {"nl": "Verbonden.", "en": "Connected."},
    # closed conversation
    "closed_title": {"nl": "Dit gesprek is gesloten.", "en": "This conversation is closed."},
    "closed_text": {
        "nl": "Heeft u nog een vraag? Start dan een nieuw gesprek.",
        "en": "Do you have another question? Then start a new conversation.",
    },
    "new_conversation": {"nl": "Nieuw gesprek starten", "en": "Start a new conversation"},
    # uploads
    "uploading": {"nl": "{name} wordt verstuurd", "en": "Sending {name}"},
    "upload_done": {"nl": "{name} is verstuurd.", "en": "{name} has been sent."},
    "upload_failed": {
        "nl": "Het bestand is niet verstuurd. Controleer uw verbinding en probeer het opnieuw.",
        "en": "The file was not sent. Check your connection and try again.",
    },
    "file_too_large": {
        "nl": "Het bestand is te groot. Het maximum is {mb} MB.",
        "en": "The file is too large. The maximum is {mb} MB.",
    },
    # errors from the server, by code (docs/realtime.md); others fall back to error_generic
    "error_generic": {
        "nl": "Er ging iets mis. Probeer het opnieuw.",
        "en": "Something went wrong. Please try again.",
    },
    "err_rate_limited": {
        "nl": "U stuurt erg snel berichten. Wacht even. Wij versturen uw bericht zo.",
        "en": "You are sending messages very quickly. Please wait. We will send it shortly.",
    },
    "err_too_many_chats": {
        "nl": "U heeft net veel gesprekken gestart. Probeer het later opnieuw.",
        "en": "You have started many conversations just now. Please try again later.",
    },
    "err_conversation_closed": {
        "nl": "Dit gesprek is gesloten. Uw bericht is niet verstuurd.",
        "en": "This conversation is closed. Your message was not sent.",
    },
    "err_body_too_long": {
        "nl": "Uw bericht is te lang. Maak het korter en probeer het opnieuw.",
        "en": "Your message is too long. Please shorten it and try again.",
    },
    "err_empty_message": {"nl": "Uw bericht is leeg.", "en": "Your message is empty."},
    "err_unknown_token": {
        "nl": "Uw vorige gesprek is niet gevonden. U kunt een nieuw gesprek beginnen.",
        "en": "Your previous conversation was not found. You can start a new one.",
    },
    "err_unknown_attachment": {
        "nl": "Het bestand is niet gevonden. Voeg het opnieuw toe.",
        "en": "The file was not found. Please add it again.",
    },
    "err_type_not_allowed": {
        "nl": "Dit soort bestand kunt u niet sturen. "
        "Stuur een foto (JPG, PNG, GIF, WebP) of een PDF.",
        "en": "You cannot send this kind of file. Send a photo (JPG, PNG, GIF, WebP) or a PDF.",
    },
    "err_too_large": {
        "nl": "Het bestand is te groot. Het maximum is {mb} MB.",
        "en": "The file is too large. The maximum is {mb} MB.",
    },
    "err_corrupt": {
        "nl": "Dit bestand is beschadigd. Probeer een ander bestand.",
        "en": "This file is damaged. Please try another file.",
    },
    "err_active_content": {
        "nl": "Deze PDF bevat onderdelen die wij niet aannemen. Maak er een gewone PDF van.",
        "en": "This PDF contains parts we do not accept. Please save it as a plain PDF.",
    },
    "dismiss": {"nl": "Melding sluiten", "en": "Close notice"},
    # the embeddable widget (widget.js)
    "widget_open": {"nl": "Chat met de gemeente", "en": "Chat with the municipality"},
    "widget_close": {"nl": "Chat sluiten", "en": "Close chat"},
}


def fill(text: str, params: dict[str, object]) -> str:
    """Replace ``{name}`` placeholders that have a value; leave the others for the script."""
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def for_language(language: str, **params: object) -> dict[str, str]:
    """Every string in one language (Dutch when the language is unknown), ``params`` filled in."""
    language = language if language in LANGUAGES else "nl"
    return {key: fill(texts[language], params) for key, texts in STRINGS.items()}
