"""Labels of the choices the console's filters offer, in the active language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "active": _("Open and waiting"),
    "open": _("Open"),
    "pending": _("Waiting for resident"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "all": _("All"),
}
SCOPE_LABELS = {"all": _("Everyone"), "mine": _("Mine"), "unassigned": _("Unassigned")}
DIRECTION_LABELS = {
    "resident": _("From resident"),
    "agent": _("To resident"),
    "note": _("Internal note"),
}
SORT_LABELS = {"relevance": _("Best matches first"), "date": _("Newest first")}
