from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Work plans")

    def ready(self) -> None:
        from office import audit_actions  # noqa: F401  (registers audit sentences and notifications)
