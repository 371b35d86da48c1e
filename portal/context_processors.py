"""Template context every page needs: the user's roles and unread notification count."""

from portal.access import scope_of
from portal.selectors import unread_notification_count


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "portal_scope": scope_of(user),
        "unread_notifications": unread_notification_count(user=user),
    }
