from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal and organisation")

    def ready(self) -> None:
        from portal import audit_actions  # noqa: F401  (registers this app's audit sentences)
