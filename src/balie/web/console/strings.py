"""Every text of the agent console, in plain Dutch (B1) and English.

Templates get the strings of the current language as ``t`` (``{{ t.inbox }}``); the
JavaScript gets the same dictionary through ``json_script``. The language is chosen with the
switch in the header and kept in the session. Records management's texts are in
:mod:`balie.web.console.records_strings`.
"""

from __future__ import annotations

from balie.web.console.records_strings import RECORDS_STRINGS

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
SESSION_KEY = "console_language"

GENERAL_STRINGS: dict[str, dict[str, str]] = {
    # --- login and frame ---
    "app_name": {"nl": "Balie", "en": "Balie"},
    "console": {"nl": "Klantcontact", "en": "Customer contact"},
    "login_title": {"nl": "Inloggen", "en": "Log in"},
    "login_intro": {
        "nl": "Log in met uw gebruikersnaam en wachtwoord van de gemeente.",
        "en": "Log in with your municipal user name and password.",
    },
    "username": {"nl": "Gebruikersnaam", "en": "User name"},
    "password": {"nl": "Wachtwoord", "en": "Password"},
    "login_button": {"nl": "Inloggen", "en": "Log in"},
    "login_failed": {
        "nl": "Deze gebruikersnaam en dit wachtwoord passen niet bij elkaar. Probeer het opnieuw.",
        "en": "This user name and password do not match. Please try again.",
    },
    "logout": {"nl": "Uitloggen", "en": "Log out"},
    "language": {"nl": "Taal", "en": "Language"},
    "switch_language": {"nl": "English", "en": "Nederlands"},
    "skip_to_inbox": {"nl": "Naar de inbox", "en": "Skip to the inbox"},
    "choose_organisation": {"nl": "Kies een organisatie", "en": "Choose an organisation"},
    "no_organisation": {
        "nl": "U hoort nog niet bij een organisatie. Vraag uw functioneel beheerder om toegang.",
        "en": "You are not a member of any organisation yet. Ask your administrator for access.",
    },
    "read_only": {
        "nl": "U kunt meelezen, maar niets wijzigen.",
        "en": "You can read along, but not change anything.",
    },
    # --- inbox ---
    "inbox": {"nl": "Inbox", "en": "Inbox"},
    "teams": {"nl": "Teams", "en": "Teams"},
    "all_teams": {"nl": "Alle teams", "en": "All teams"},
    "no_team": {"nl": "Zonder team", "en": "No team"},
    "filter": {"nl": "Filter", "en": "Filter"},
    "status": {"nl": "Status", "en": "Status"},
    "status_active": {"nl": "Open en wachtend", "en": "Open and waiting"},
    "status_open": {"nl": "Open", "en": "Open"},
    "status_pending": {"nl": "Wacht op inwoner", "en": "Waiting for resident"},
    "status_resolved": {"nl": "Opgelost", "en": "Resolved"},
    "status_closed": {"nl": "Gesloten", "en": "Closed"},
    "status_all": {"nl": "Alle", "en": "All"},
    "scope": {"nl": "Wie", "en": "Who"},
    "scope_all": {"nl": "Iedereen", "en": "Everyone"},
    "scope_mine": {"nl": "Van mij", "en": "Mine"},
    "scope_unassigned": {"nl": "Niet toegewezen", "en": "Unassigned"},
    "apply": {"nl": "Toon", "en": "Show"},
    "no_conversations": {
        "nl": "Er zijn geen gesprekken die hierbij passen.",
        "en": "There are no conversations that match.",
    },
    "unread": {"nl": "ongelezen", "en": "unread"},
    "assignee": {"nl": "Behandelaar", "en": "Assigned to"},
    "nobody": {"nl": "Niemand", "en": "Nobody"},
    "last_message": {"nl": "Laatste bericht", "en": "Last message"},
    "team": {"nl": "Team", "en": "Team"},
    "conversation": {"nl": "Gesprek", "en": "Conversation"},
    "connection_lost": {
        "nl": "Verbinding verbroken. We proberen het opnieuw…",
        "en": "Connection lost. Trying again…",
    },
    "connected": {"nl": "Verbonden", "en": "Connected"},
    "open_hint": {
        "nl": "Kies een gesprek in de inbox. U kunt er meerdere tegelijk openen.",
        "en": "Choose a conversation in the inbox. You can open several at once.",
    },
    # --- conversation pane ---
    "close": {"nl": "Sluiten", "en": "Close"},
    "resident": {"nl": "Inwoner", "en": "Resident"},
    "internal_note": {"nl": "Interne notitie", "en": "Internal note"},
    "internal_toggle": {
        "nl": "Interne notitie (inwoner ziet dit niet)",
        "en": "Internal note (resident does not see this)",
    },
    "system": {"nl": "Systeem", "en": "System"},
    "message_label": {"nl": "Uw bericht", "en": "Your message"},
    "composer_hint": {
        "nl": "Enter verstuurt, Shift+Enter geeft een nieuwe regel.",
        "en": "Enter sends, Shift+Enter adds a new line.",
    },
    "send": {"nl": "Versturen", "en": "Send"},
    "sending": {"nl": "Wordt verzonden…", "en": "Sending…"},
    "send_failed": {"nl": "Niet verzonden", "en": "Not sent"},
    "retry": {"nl": "Opnieuw proberen", "en": "Try again"},
    "attach": {"nl": "Bestand toevoegen", "en": "Attach a file"},
    "uploading": {"nl": "Uploaden", "en": "Uploading"},
    "remove": {"nl": "Verwijderen", "en": "Remove"},
    "read_by_resident": {"nl": "Gelezen door inwoner", "en": "Read by resident"},
    "resident_typing": {"nl": "Inwoner typt…", "en": "Resident is typing…"},
    "assign_me": {"nl": "Aan mij toewijzen", "en": "Assign to me"},
    "message_edited": {"nl": "bewerkt", "en": "edited"},
    "message_deleted": {"nl": "Dit bericht is verwijderd.", "en": "This message was deleted."},
    "edit": {"nl": "Bewerken", "en": "Edit"},
    "delete": {"nl": "Verwijderen", "en": "Delete"},
    "edit_message": {"nl": "Nieuwe tekst van uw bericht:", "en": "New text of your message:"},
    "delete_confirm": {
        "nl": "Dit bericht verwijderen? Het blijft bewaard in het archief.",
        "en": "Delete this message? It stays in the archive.",
    },
    "audit_log": {"nl": "Auditlog", "en": "Audit log"},
    "integrity": {"nl": "Integriteit van het archief", "en": "Archive integrity"},
    "integrity_intro": {
        "nl": "Elke nacht controleert Balie of geen enkel bericht of logregel is veranderd of "
        "verwijderd. Hier staan de uitkomsten.",
        "en": "Every night Balie checks that no message or log line was changed or removed. "
        "These are the results.",
    },
    "integrity_ok": {"nl": "In orde", "en": "Intact"},
    "integrity_broken": {"nl": "GEBROKEN", "en": "BROKEN"},
    "integrity_none": {
        "nl": "Nog geen controle gedaan. De eerste volgt vannacht.",
        "en": "No check yet. The first one runs tonight.",
    },
    "integrity_checked": {"nl": "Gecontroleerd", "en": "Checked"},
    "integrity_result": {"nl": "Uitkomst", "en": "Result"},
    "audit_intro": {
        "nl": "Wie welk gesprek, bestand of contact heeft ingezien: wanneer, waarvandaan, waarom.",
        "en": "Who looked at which conversation, file or contact, when, from where and why.",
    },
    "audit_when": {"nl": "Wanneer", "en": "When"},
    "audit_who": {"nl": "Wie", "en": "Who"},
    "audit_what": {"nl": "Wat", "en": "What"},
    "audit_where": {"nl": "Waarvandaan", "en": "From where"},
    "audit_why": {"nl": "Doel", "en": "Purpose"},
    "audit_from": {"nl": "Vanaf", "en": "From"},
    "audit_until": {"nl": "Tot en met", "en": "Until"},
    "audit_all": {"nl": "Alles", "en": "Everything"},
    "audit_export": {"nl": "Exporteren als CSV", "en": "Export as CSV"},
    "audit_empty": {"nl": "Geen regels gevonden.", "en": "No entries found."},
    "previous": {"nl": "Vorige", "en": "Previous"},
    "next": {"nl": "Volgende", "en": "Next"},
    "details": {"nl": "Onderwerp, zaaknummer, labels", "en": "Subject, case number, labels"},
    "subject": {"nl": "Onderwerp", "en": "Subject"},
    "case_reference": {"nl": "Zaaknummer", "en": "Case number"},
    "record_class": {"nl": "Categorie (bewaartermijn)", "en": "Record class (retention)"},
    "labels": {"nl": "Labels (met komma's)", "en": "Labels (comma-separated)"},
    "save": {"nl": "Opslaan", "en": "Save"},
    "assign_to": {"nl": "Toewijzen aan", "en": "Assign to"},
    "move_team": {"nl": "Naar team", "en": "Move to team"},
    "change_status": {"nl": "Status wijzigen", "en": "Change status"},
    "more_history": {"nl": "Oudere berichten laden…", "en": "Loading older messages…"},
    "too_many_open": {
        "nl": "U kunt maximaal 20 gesprekken tegelijk openen.",
        "en": "You can open at most 20 conversations at once.",
    },
    "action_failed": {"nl": "Dat lukte niet", "en": "That did not work"},
    "download": {"nl": "Downloaden", "en": "Download"},
    # --- search ---
    "search": {"nl": "Zoeken in berichten", "en": "Search messages"},
    "search_intro": {
        "nl": 'Alle woorden moeten voorkomen. "Tussen aanhalingstekens" zoekt een zin, '
        "-woord laat berichten met dat woord weg, parkeer* zoekt woorden die zo beginnen. "
        "Elke zoekopdracht komt in het auditlog.",
        "en": 'All words must occur. "In quotes" finds a phrase, -word leaves out messages '
        "with that word, parkeer* finds words that start so. Every search is written to the "
        "audit log.",
    },
    "search_query": {"nl": "Zoekvraag", "en": "Search for"},
    "search_button": {"nl": "Zoeken", "en": "Search"},
    "search_from": {"nl": "Van", "en": "From"},
    "search_to": {"nl": "Tot en met", "en": "Until"},
    "search_any": {"nl": "Alle", "en": "Any"},
    "channel": {"nl": "Kanaal", "en": "Channel"},
    "contact_id": {"nl": "Contact (nummer)", "en": "Contact (number)"},
    "search_labels": {"nl": "Labels (een of meer)", "en": "Labels (any of)"},
    "direction": {"nl": "Soort bericht", "en": "Kind of message"},
    "direction_resident": {"nl": "Van inwoner", "en": "From resident"},
    "direction_agent": {"nl": "Aan inwoner", "en": "To resident"},
    "direction_note": {"nl": "Interne notitie", "en": "Internal note"},
    "sort": {"nl": "Volgorde", "en": "Order"},
    "sort_relevance": {"nl": "Beste treffers eerst", "en": "Best matches first"},
    "sort_date": {"nl": "Nieuwste eerst", "en": "Newest first"},
    # --- imports of officials' work chats ---
    "imports": {"nl": "Werkchats importeren", "en": "Import work chats"},
    "imports_intro": {
        "nl": "Chats over gemeentezaken op uw telefoon horen in het archief. Upload de export "
        "van WhatsApp, SMS Backup & Restore of Telegram. U kiest daarna zelf welke berichten "
        "zakelijk zijn. Alleen die bewaren we. De rest bewaren we nergens.",
        "en": "Chats about municipal matters on your phone belong in the archive. Upload the "
        "export from WhatsApp, SMS Backup & Restore or Telegram. You then choose which "
        "messages are business. Only those are kept. The rest is kept nowhere.",
    },
    "import_upload": {"nl": "Export uploaden", "en": "Upload an export"},
    "import_no_file": {"nl": "Kies een bestand.", "en": "Choose a file."},
    "import_source": {"nl": "Soort export", "en": "Kind of export"},
    "import_file": {"nl": "Bestand", "en": "File"},
    "import_time_zone": {"nl": "Tijdzone van de telefoon", "en": "Phone's time zone"},
    "import_date_order": {"nl": "Datumvolgorde", "en": "Date order"},
    "import_date_order_auto": {"nl": "Zelf herkennen", "en": "Detect"},
    "import_owner_note": {"nl": "Notitie over telefoon", "en": "Note on the phone"},
    "import_owner_note_hint": {
        "nl": "Bijvoorbeeld: werktelefoon, Samsung A54",
        "en": "For example: work phone, Samsung A54",
    },
    "import_upload_button": {"nl": "Uploaden en bekijken", "en": "Upload and review"},
    "import_pending": {"nl": "Nog niet afgerond", "en": "Not finished yet"},
    "import_batches": {"nl": "Eerdere imports", "en": "Earlier imports"},
    "import_when": {"nl": "Wanneer", "en": "When"},
    "import_owner": {"nl": "Van wie", "en": "Whose"},
    "import_added": {
        "nl": "Nieuw / gekozen (in bestand)",
        "en": "New / chosen (in file)",
    },
    "import_none": {"nl": "Nog geen imports.", "en": "No imports yet."},
    "import_review": {"nl": "Berichten kiezen", "en": "Choose messages"},
    "import_review_intro": {
        "nl": "Balie stelt voor welke berichten zakelijk zijn en zegt waarom. Dat is een "
        "voorstel: u beslist. Vink aan wat in het archief moet. Niet aangevinkte berichten "
        "bewaren we nergens.",
        "en": "Balie proposes which messages are business and says why. It is a proposal: you "
        "decide. Tick what belongs in the archive. Messages left unticked are kept nowhere.",
    },
    "import_messages": {"nl": "berichten", "en": "messages"},
    "import_me": {
        "nl": "Welke naam bent u in deze chats?",
        "en": "Which name is yours in these chats?",
    },
    "import_chats": {"nl": "Gesprekken in de export", "en": "Chats in the export"},
    "import_chat": {"nl": "Gesprek", "en": "Chat"},
    "import_period": {"nl": "Periode", "en": "Period"},
    "import_page": {"nl": "Pagina", "en": "Page"},
    "import_store": {"nl": "Bewaren", "en": "Keep"},
    "import_who": {"nl": "Wie", "en": "Who"},
    "import_text": {"nl": "Bericht", "en": "Message"},
    "import_why": {"nl": "Waarom dit voorstel", "en": "Why this proposal"},
    "import_system": {"nl": "(systeem)", "en": "(system)"},
    "import_media": {"nl": "bijlage", "en": "attachment"},
    "import_confirm": {
        "nl": "Gekozen berichten in het archief zetten",
        "en": "Put the chosen messages in the archive",
    },
    "import_cancel": {"nl": "Stoppen en alles weggooien", "en": "Stop and discard everything"},
    "import_where": {
        "nl": "Een heel gesprek of een periode in één keer",
        "en": "A whole chat or a period at once",
    },
    "import_all_chats": {"nl": "Alle gesprekken", "en": "All chats"},
    "import_from": {"nl": "Van", "en": "From"},
    "import_to": {"nl": "Tot en met", "en": "Through"},
    "import_keep_where": {"nl": "Alles hiervan bewaren", "en": "Keep all of these"},
    "import_drop_where": {"nl": "Niets hiervan bewaren", "en": "Keep none of these"},
    "import_where_done": {
        "nl": "{count} berichten aangepast.",
        "en": "{count} messages changed.",
    },
    "import_bad_date": {
        "nl": "Die datum klopt niet. Gebruik jjjj-mm-dd.",
        "en": "That date is not valid. Use yyyy-mm-dd.",
    },
    "import_cancelled": {
        "nl": "Gestopt. Het bestand is verwijderd.",
        "en": "Stopped. The file has been removed.",
    },
    "import_done": {
        "nl": "Klaar: {added} nieuwe berichten in het archief ({selected} gekozen).",
        "en": "Done: {added} new messages in the archive ({selected} chosen).",
    },
    "search_results": {"nl": "berichten gevonden", "en": "messages found"},
    "search_result_one": {"nl": "bericht gevonden", "en": "message found"},
    "search_results_more": {
        "nl": "of meer berichten gevonden. U ziet de nieuwste daarvan. "
        "Maak uw zoekopdracht preciezer om de rest te vinden.",
        "en": "or more messages found. You see the most recent of them. "
        "Make your search more precise to find the rest.",
    },
    "search_none": {
        "nl": "Geen berichten gevonden. Probeer andere woorden of minder filters.",
        "en": "No messages found. Try other words or fewer filters.",
    },
    "search_save": {"nl": "Zoekopdracht bewaren", "en": "Save this search"},
    "search_save_name": {"nl": "Naam", "en": "Name"},
    "saved_searches": {"nl": "Bewaarde zoekopdrachten", "en": "Saved searches"},
    "open_conversation": {"nl": "Open gesprek", "en": "Open conversation"},
}

# Records management's texts live beside it (records_strings.py); no key is in both (a test).
STRINGS: dict[str, dict[str, str]] = {**GENERAL_STRINGS, **RECORDS_STRINGS}


def language_of(request) -> str:
    language = request.session.get(SESSION_KEY)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def strings_for(language: str) -> dict[str, str]:
    return {key: texts[language] for key, texts in STRINGS.items()}
