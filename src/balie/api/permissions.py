from rest_framework.permissions import BasePermission

from balie.accounts.models import ApiKey


def principal(request):
    """The actor behind a request: the ApiKey, or the logged-in staff user."""
    if isinstance(request.auth, ApiKey):
        return request.auth
    return request.user


class IsStaffPrincipal(BasePermission):
    """An API key, or a logged-in user with at least one membership."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        user = request.user
        return bool(user and user.is_authenticated)
