"""Audit sentences of the commendation app."""

from django.utils.translation import gettext_lazy as _

from portal.audit import register_actions
from portal.display import register_param_display

register_actions(
    {
        "commendations.award.updated": _("%(actor)s updated the award %(object)s in the catalogue"),
        "commendations.election.recorded": _(
            "%(actor)s recorded that the cluster %(object)s elected %(unit)s in %(year)s"
        ),
        "commendations.election.cleared": _("%(actor)s cleared the election of the cluster %(object)s in %(year)s"),
        "commendations.history.imported": _("%(actor)s imported %(count)s rows of %(table)s history from Excel"),
    }
)


def _table_label(value: str) -> str:
    from commendations.excel import TABLES

    table = TABLES.get(value)
    return str(table.label).lower() if table is not None else value


register_param_display({"table": _table_label})
