from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.views import AreaHomeView

app_name = "office"
urlpatterns = [
    path(
        "",
        AreaHomeView.as_view(
            area_title=_("Annual work plans"),
            area_description=_(
                "Annual work plans of the ministry and its units: tasks with lead and cooperating units, deadlines, outputs, progress reports, deadline adjustments and voters' petitions."
            ),
        ),
        name="home",
    ),
]
