from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import AreaHomeView

app_name = "commendations"
urlpatterns = [
    path(
        "",
        AreaHomeView.as_view(
            area_title=_("Commendations"),
            area_description=_(
                "Commendation dossiers: the award catalogue, eligibility checks against the law and award history, approval, the council vote and decisions."
            ),
        ),
        name="home",
    ),
]
