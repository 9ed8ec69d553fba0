"""French: WhatsApp's own wording in exports made on a phone set to French."""

TABLE = {
    "code": "fr",
    "media_android": ("<Médias omis>", "<Fichier omis>"),
    "media_ios": {
        "image": "image absente",
        "video": "vidéo absente",
        "audio": "audio omis",
        "gif": "GIF retiré",
        "sticker": "sticker omis",
        "document": "document manquant",
        "contact": "Fiche contact manquante",
    },
    "deleted": ("Ce message a été supprimé", "Vous avez supprimé ce message"),
    "file_attached": ("fichier joint",),
    "attached_ios": ("pièce jointe",),  # "< pièce jointe : 00000012-PHOTO-….jpg >"
    "location": ("localisation", "Localisation"),  # Android: "localisation : https://…"
    "edited": ("Ce message a été modifié",),
    "system": (
        "chiffrés de bout en bout",
        "a créé le groupe",
        "a créé ce groupe",
        " a ajouté ",
        " est parti",
        " a retiré ",
        "a modifié le sujet",
        "a changé le sujet",
        "a changé l'icône",
        "code de sécurité",
        "a rejoint ce groupe via le lien",
        "lien d'invitation",
        "messages éphémères",
        "appel vocal manqué",
        "appel vidéo manqué",
    ),
    "title_prefix": ("Discussion WhatsApp avec ",),
    "title_suffix": (),
    "hints": ("chiffrés", "omis", "absente", "fichier joint", "supprimé"),
}
