import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    name = "commendations"
    verbose_name = _("Commendations")

    def ready(self) -> None:
        from commendations import audit_actions  # noqa: F401  (registers this app's audit sentences)

        # The workflow modules register their own audit sentences and notification kinds.
        for module in ("dossiers", "council", "registrations"):
            try:
                importlib.import_module(f"commendations.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"commendations.{module}":
                    raise
