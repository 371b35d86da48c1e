"""Audit sentences of the organisation app."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from portal.audit import register_actions
from portal.display import register_param_display
from portal.enums import Role

register_actions(
    {
        "portal.person.updated": _("%(actor)s updated the record of %(object)s"),
        "portal.role.granted": _("%(actor)s granted the role %(role)s to %(object)s"),
        "portal.role.revoked": _("%(actor)s revoked the role %(role)s from %(object)s"),
        "portal.admin.added": _("%(actor)s added %(model)s %(object)s in the administration pages"),
        "portal.admin.changed": _("%(actor)s changed %(model)s %(object)s in the administration pages"),
        "portal.admin.deleted": _("%(actor)s deleted %(model)s %(object)s in the administration pages"),
    }
)


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


register_param_display(
    {
        "role": lambda value: Role(value).label if value in Role.values else value,
        "model": _model_name,
    }
)
