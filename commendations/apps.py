from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    name = "commendations"
    verbose_name = _("Commendations")

    def ready(self) -> None:
        from commendations import audit_actions  # noqa: F401  (registers this app's audit sentences)
