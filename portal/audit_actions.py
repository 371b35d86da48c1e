"""Audit sentences of the organisation app."""

from django.utils.translation import gettext_lazy as _

from portal.audit import register_actions
from portal.display import register_param_display
from portal.enums import Role

register_actions(
    {
        "portal.person.created": _("%(actor)s created the record of %(object)s"),
        "portal.person.updated": _("%(actor)s updated the record of %(object)s"),
        "portal.unit.created": _("%(actor)s created the unit %(object)s"),
        "portal.unit.updated": _("%(actor)s updated the unit %(object)s"),
        "portal.role.granted": _("%(actor)s granted the role %(role)s to %(object)s"),
        "portal.role.revoked": _("%(actor)s revoked the role %(role)s from %(object)s"),
    }
)
register_param_display({"role": lambda value: Role(value).label if value in Role.values else value})
