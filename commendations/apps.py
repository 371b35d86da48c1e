from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    name = "commendations"
    verbose_name = _("Commendations")

    def ready(self) -> None:
        # Each module registers its audit sentences (and notification kinds) when imported.
        from commendations import (  # noqa: F401
            audit_actions,
            certificates,
            council,
            dossiers,
            registrations,
        )
