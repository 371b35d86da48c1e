from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import AreaHomeView

app_name = "emulation"
urlpatterns = [
    path(
        "",
        AreaHomeView.as_view(
            area_title=_("Emulation campaigns"),
            area_description=_(
                "Emulation campaigns with their scoring tables: self-scoring by units, appraisal by the standing body, ranking within each emulation cluster and classification."
            ),
        ),
        name="home",
    ),
]
