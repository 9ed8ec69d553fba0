"""The console's texts of records management (record classes, retention, holds, destruction
lists and the destruction record), in plain Dutch (B1) and English; part of ``STRINGS`` in
:mod:`balie.web.console.strings`."""

from __future__ import annotations

RECORDS_STRINGS: dict[str, dict[str, str]] = {
    "records": {"nl": "Archiefbeheer", "en": "Records management"},
    "records_intro": {
        "nl": "Bewaartermijnen, wat vernietigd mag worden, holds en vernietigingslijsten.",
        "en": "Retention periods, what may be destroyed, holds and destruction lists.",
    },
    "record_classes": {
        "nl": "Categorieën en bewaartermijnen",
        "en": "Record classes and retention",
    },
    "rc_code": {"nl": "Code", "en": "Code"},
    "rc_name": {"nl": "Naam", "en": "Name"},
    "rc_description": {"nl": "Omschrijving", "en": "Description"},
    "rc_selectielijst": {"nl": "Selectielijst-categorie", "en": "Selectielijst category"},
    "rc_retention": {"nl": "Bewaartermijn", "en": "Retention period"},
    "rc_retention_hint": {
        "nl": "Als ISO 8601-duur: P1Y is één jaar, P6M zes maanden, P1Y6M anderhalf jaar.",
        "en": "As an ISO 8601 duration: P1Y is one year, P6M six months, P1Y6M eighteen months.",
    },
    "rc_trigger": {"nl": "Termijn loopt vanaf", "en": "Period runs from"},
    "rc_waardering": {"nl": "Waardering", "en": "Appraisal"},
    "rc_default": {"nl": "Standaard", "en": "Default"},
    "rc_default_hint": {
        "nl": "Standaardcategorie voor gesprekken zonder team- of kanaalcategorie",
        "en": "Default class for conversations without a team or channel class",
    },
    "rc_channels": {"nl": "Standaard voor kanalen", "en": "Default for channels"},
    "rc_new": {"nl": "Nieuwe categorie", "en": "New record class"},
    "rc_edit": {"nl": "Wijzigen", "en": "Change"},
    "rc_none": {"nl": "Nog geen categorieën.", "en": "No record classes yet."},
    "review_latest": {"nl": "Laatste dagelijkse controle", "en": "Latest daily review"},
    "review_none": {
        "nl": "Nog geen dagelijkse controle gedaan. De eerste volgt vannacht.",
        "en": "No daily review yet. The first one runs tonight.",
    },
    "review_summary": {"nl": "te vernietigen, waarvan geblokkeerd:", "en": "due, of which held:"},
    "due_title": {"nl": "Te vernietigen", "en": "Due for destruction"},
    "due_intro": {
        "nl": "Gesloten gesprekken waarvan de bewaartermijn voorbij is (waardering vernietigen).",
        "en": "Closed conversations past their retention period (appraisal: destroy).",
    },
    "due_none": {"nl": "Er is niets te vernietigen.", "en": "Nothing is due for destruction."},
    "due_more": {
        "nl": "Gesprekken {first} tot en met {last} van {total}.",
        "en": "Conversations {first} to {last} of {total}.",
    },
    "due_previous": {"nl": "Vorige {size}", "en": "Previous {size}"},
    "due_next": {"nl": "Volgende {size}", "en": "Next {size}"},
    "due_on": {"nl": "Vernietigen vanaf", "en": "Due on"},
    "trigger_date": {"nl": "Termijn liep vanaf", "en": "Period ran from"},
    "contact": {"nl": "Contact", "en": "Contact"},
    "held": {"nl": "Geblokkeerd", "en": "Held"},
    "select": {"nl": "Kies", "en": "Select"},
    "propose_title": {"nl": "Vernietigingslijst voorstellen", "en": "Propose a destruction list"},
    "propose_intro": {
        "nl": "Kies hierboven de gesprekken. Een tweede informatiebeheerder moet de lijst "
        "goedkeuren (vier ogen).",
        "en": "Select the conversations above. A second records manager must approve the "
        "list (four eyes).",
    },
    "list_title": {"nl": "Titel", "en": "Title"},
    "note": {"nl": "Toelichting", "en": "Note"},
    "propose": {"nl": "Voorstellen", "en": "Propose"},
    "holds": {"nl": "Holds en Woo-verzoeken", "en": "Holds and Woo requests"},
    "holds_intro": {
        "nl": "Zolang een hold actief is, wordt wat eronder valt niet vernietigd.",
        "en": "While a hold is active, nothing it covers is destroyed.",
    },
    "hold_kind": {"nl": "Soort", "en": "Kind"},
    "hold_scope": {"nl": "Geldt voor", "en": "Covers"},
    "hold_target": {
        "nl": "Nummer van het gesprek, contact of de opgeslagen zoekopdracht",
        "en": "Conversation, contact or saved search id",
    },
    "hold_reference": {
        "nl": "Kenmerk (zaak- of Woo-nummer)",
        "en": "Reference (case or Woo number)",
    },
    "hold_reason": {"nl": "Reden", "en": "Reason"},
    "hold_place": {"nl": "Hold plaatsen", "en": "Place hold"},
    "hold_release": {"nl": "Opheffen", "en": "Release"},
    "hold_release_reason": {"nl": "Reden van opheffen", "en": "Reason for release"},
    "hold_placed_by": {"nl": "Geplaatst door", "en": "Placed by"},
    "hold_released": {"nl": "Opgeheven", "en": "Released"},
    "hold_active": {"nl": "Actief", "en": "Active"},
    "holds_none": {"nl": "Geen holds.", "en": "No holds."},
    "hold_saved_search_later": {
        "nl": "Holds op een opgeslagen zoekopdracht komen met de zoekfunctie.",
        "en": "Holds on a saved search come with the search feature.",
    },
    "lists": {"nl": "Vernietigingslijsten", "en": "Destruction lists"},
    "lists_none": {"nl": "Nog geen vernietigingslijsten.", "en": "No destruction lists yet."},
    "proposed_by": {"nl": "Voorgesteld door", "en": "Proposed by"},
    "reviewed_by": {"nl": "Beoordeeld door", "en": "Reviewed by"},
    "items": {"nl": "Gesprekken", "en": "Conversations"},
    "destruction_list": {"nl": "Vernietigingslijst", "en": "Destruction list"},
    "approve": {"nl": "Goedkeuren en vernietigen", "en": "Approve and destroy"},
    "reject": {"nl": "Afwijzen", "en": "Reject"},
    "review_note": {"nl": "Toelichting bij uw beoordeling", "en": "Note on your review"},
    "review_note_hint": {
        "nl": "Verplicht bij afwijzen.",
        "en": "Required when rejecting.",
    },
    "four_eyes": {
        "nl": "U hebt deze lijst zelf voorgesteld. Een tweede informatiebeheerder moet hem "
        "beoordelen (vier ogen).",
        "en": "You proposed this list yourself. A second records manager must review it "
        "(four eyes).",
    },
    "destruction_record": {"nl": "Verklaring van vernietiging", "en": "Destruction record"},
    "executed_at": {"nl": "Vernietigd op", "en": "Destroyed on"},
    "destroyed_conversations": {"nl": "Vernietigde gesprekken", "en": "Conversations destroyed"},
    "blocked_conversations": {"nl": "Niet vernietigd", "en": "Not destroyed"},
    "destroyed_messages": {"nl": "Berichten", "en": "Messages"},
    "destroyed_attachments": {"nl": "Bijlagen", "en": "Attachments"},
    "events_emptied": {
        "nl": "Archiefgebeurtenissen geleegd (kop en hash blijven)",
        "en": "Archive events emptied (header and hash kept)",
    },
    "blocked_reason": {"nl": "Waarom niet", "en": "Why not"},
    "print": {"nl": "Afdrukken", "en": "Print"},
    "back_to_records": {"nl": "Terug naar archiefbeheer", "en": "Back to records management"},
    "being_executed": {
        "nl": "Goedgekeurd; de vernietiging wordt nu uitgevoerd. Vernieuw de pagina straks.",
        "en": "Approved; destruction is being carried out. Refresh the page shortly.",
    },
    "saved": {"nl": "Opgeslagen.", "en": "Saved."},
    "error": {"nl": "Fout", "en": "Error"},
    "destroyed_notice": {
        "nl": "Vernietigd op {date} (vernietigingslijst {list})",
        "en": "Destroyed on {date} (destruction list {list})",
    },
}
