"""The resident chat's texts, by key, in both languages at once.

The chat page switches language without a reload, so it carries the catalogue of both
languages (``catalogues()``), rendered through gettext with ``translation.override``. The
English texts are the msgids; the Dutch ones are in ``src/balie/locale/nl`` (docs/i18n.md).
``%(name)s`` placeholders are filled in by the script (chat.js, widget.js).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
WIDGET_KEYS = ("widget_open", "widget_close", "page_title")

TEXTS = {
    "message_edited": _("edited"),
    "message_deleted": _("This message was deleted."),
    "edit": pgettext_lazy("resident chat", "Edit"),
    "delete": _("Delete"),
    "edit_prompt": _("New text of your message:"),
    "delete_confirm": _("Delete this message? The municipality still keeps it in its archive."),
    "page_title": _("Chat with %(organisation)s"),
    "intro": _(
        "Ask your question here. Someone from the municipality will answer as soon as possible."
    ),
    "privacy": _("Only send details that are needed for your question."),
    "messages_label": _("Messages in this conversation"),
    "empty": _("No messages yet. Type your question below."),
    "composer_label": _("Your message"),
    "composer_placeholder": _("Type your message"),
    "send": _("Send"),
    "attach": _("Add a photo or PDF"),
    "attach_hint": _("Photo or PDF, at most %(mb)s MB."),
    "char_limit": _("Your message is too long. The maximum is %(max)s characters."),
    "you": _("You"),
    "you_wrote": _("You wrote:"),
    "agent_wrote": _("%(name)s from the municipality wrote:"),
    "municipality": _("Municipality"),
    "status_pending": pgettext_lazy("resident chat", "Sending…"),
    "status_sent": _("Sent"),
    "status_read": _("Read"),
    "status_failed": pgettext_lazy("resident chat", "Not sent"),
    "photo_alt": _("Photo: %(name)s"),
    "pdf_link": _("%(name)s (PDF, %(size)s)"),
    "announce_message": _("New message from %(name)s: %(body)s"),
    "announce_file": _("a file"),
    "typing": _("The municipality is typing…"),
    "connecting": _("Connecting…"),
    "offline": _("No connection. We keep trying. Your messages will not be lost."),
    "connected": _("Connected."),
    "closed_title": _("This conversation is closed."),
    "closed_text": _("Do you have another question? Then start a new conversation."),
    "new_conversation": _("Start a new conversation"),
    "uploading": _("Sending %(name)s"),
    "upload_done": _("%(name)s has been sent."),
    "upload_failed": _("The file was not sent. Check your connection and try again."),
    "file_too_large": _("The file is too large. The maximum is %(mb)s MB."),
    "error_generic": _("Something went wrong. Please try again."),
    "err_rate_limited": _(
        "You are sending messages very quickly. Please wait. We will send it shortly."
    ),
    "upload_rate_limited": _(
        "You have sent many files just now. Please wait %(seconds)s seconds and try again."
    ),
    "err_too_many_unsent_files": _(
        "You have added many files that you have not sent yet. Send them first."
    ),
    "err_too_many_chats": _(
        "You have started many conversations just now. Please try again later."
    ),
    "err_conversation_closed": _("This conversation is closed. Your message was not sent."),
    "err_body_too_long": _("Your message is too long. Please shorten it and try again."),
    "err_empty_message": _("Your message is empty."),
    "err_unknown_token": _("Your previous conversation was not found. You can start a new one."),
    "err_unknown_attachment": _("The file was not found. Please add it again."),
    "err_type_not_allowed": _(
        "You cannot send this kind of file. Send a photo (JPG, PNG, GIF, WebP) or a PDF."
    ),
    "err_too_large": _("The file is too large. The maximum is %(mb)s MB."),
    "err_corrupt": _("This file is damaged. Please try another file."),
    "err_active_content": _(
        "This PDF contains parts we do not accept. Please save it as a plain PDF."
    ),
    "dismiss": _("Close notice"),
    "widget_open": _("Chat with the municipality"),
    "widget_close": _("Close chat"),
    # the installable app and its notifications (web/resident/pwa.py, static pwa.js)
    "push_on": _("Notifications on"),
    "push_off": _("Notifications off"),
    "push_on_done": _(
        "Notifications are on. You get a notice when the municipality answers and this page "
        "is not open. It never shows your messages."
    ),
    "push_off_done": _("Notifications are off."),
    "push_blocked": _(
        "Your browser blocks notifications for this site. You can allow them in the settings "
        "of your browser."
    ),
    "push_failed": _("Notifications could not be changed. Please try again later."),
    "install_offer": _("Put this chat on your home screen, so you find the answer quickly."),
    "install_yes": _("Add to home screen"),
    "install_no": _("Not now"),
    # the optional DigiD login (web/resident/login.py, resident/_identity.html)
    "identity_title": _("Your earlier conversations"),
    "identity_login": _("Log in with DigiD"),
    "identity_login_why": _(
        "Only if you want to see your earlier conversations, also on another device. You do "
        "not need it to chat."
    ),
    "identity_new_window": _("(opens in a new window)"),
    "identity_logged_in": _("You are logged in with DigiD."),
    "identity_logout": _("Log out"),
    "identity_history_empty": _("You have no earlier conversations yet."),
}


def language_from(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def catalogue(language: str, keys=None) -> dict[str, str]:
    """Every text (or those of ``keys``) in ``language``, placeholders left for the script."""
    with translation.override(language):
        texts = {key: str(text) for key, text in TEXTS.items() if keys is None or key in keys}
    if keys is None:
        # The switch offers the other language, named and labelled in that language.
        other = get_language_info(next(code for code in LANGUAGES if code != language))
        with translation.override(other["code"]):
            label = gettext("Switch to %(language)s") % {"language": other["name_local"]}
        texts |= {
            "switch_language": other["name_local"],
            "switch_language_label": label,
            "switch_language_lang": other["code"],
        }
    return texts


def catalogues(keys=None) -> dict[str, dict[str, str]]:
    return {language: catalogue(language, keys) for language in LANGUAGES}
