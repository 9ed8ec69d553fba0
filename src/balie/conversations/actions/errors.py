"""The errors actions raise for input they refuse."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict, Invalid, NotFound


class ActionError(Invalid):
    """Input that an action refuses: ``ActionError(code, message)``, answered with 400."""


class StateConflict(Conflict):
    """Well formed, but not possible in the conversation's current state (closed, imported,
    a status it cannot move to): ``StateConflict(code, message)``, answered with 409."""


class UnknownReference(NotFound):
    """An id in a request that names nothing the actor may use there (a team of another
    organisation, an attachment of another conversation or already sent): answered with 404
    and the field, as an id in the address would be."""


class ClientIdConflict(Conflict):
    """Another sender (another side, person or API key, or a note where a message is sent)
    already used this client id in the conversation: answered with 409, never with the
    other sender's message."""

    default_code = "client_id_conflict"
    default_message = _("This client_id is already in use in this conversation; choose another.")
