"""Audit sentences and notification kinds of the work-plan app."""

from django.utils.translation import gettext_lazy as _

from office.enums import PlanState
from portal.audit import register_actions
from portal.display import register_param_display
from portal.notifications import register_kinds

register_actions(
    {
        "office.plan.created": _("%(actor)s created the work plan %(object)s"),
        "office.plan.submitted": _("%(actor)s submitted the work plan %(object)s for approval"),
        "office.plan.returned": _("%(actor)s returned the work plan %(object)s for revision: %(reason)s"),
        "office.plan.issued": _("%(actor)s approved and issued the work plan %(object)s"),
        "office.task.created": _("%(actor)s created the task %(object)s"),
        "office.task.updated": _("%(actor)s updated the task %(object)s"),
        "office.task.deleted": _("%(actor)s deleted the task %(object)s"),
        "office.task.progress": _("%(actor)s reported %(percent)s%% progress on %(object)s"),
        "office.task.completed": _("%(actor)s recorded %(object)s as completed with %(output_document)s"),
        "office.adjustment.requested": _("%(actor)s asked to move the deadline of %(object)s from %(old)s to %(new)s"),
        "office.adjustment.approved": _("%(actor)s approved the new deadline %(new)s for %(object)s"),
        "office.adjustment.rejected": _("%(actor)s rejected the new deadline %(new)s for %(object)s: %(note)s"),
        "office.petition.answered": _("%(actor)s answered the petition %(object)s"),
        "office.petition.batch_created": _("%(actor)s opened the petition batch %(object)s"),
        "office.petition.created": _("%(actor)s recorded the petition %(object)s, led by %(lead_unit)s"),
        "office.import.completed": _("%(actor)s imported %(count)s tasks into %(object)s"),
    }
)
register_param_display(
    {
        "previous_state": lambda value: PlanState(value).label if value in PlanState.values else value,
        "state": lambda value: PlanState(value).label if value in PlanState.values else value,
    }
)
register_kinds(
    {
        "office.plan.submitted": (
            _("Work plan awaiting your approval"),
            _("%(actor)s submitted the work plan “%(plan)s” for your approval."),
        ),
        "office.plan.returned": (
            _("Work plan returned for revision"),
            _("%(actor)s returned the work plan “%(plan)s” for revision."),
        ),
        "office.plan.issued": (
            _("Work plan issued"),
            _("%(actor)s approved and issued the work plan “%(plan)s”."),
        ),
        "office.adjustment.requested": (
            _("Deadline adjustment awaiting your decision"),
            _("%(actor)s asked to change the deadline of task %(task)s."),
        ),
        "office.adjustment.approved": (
            _("Deadline adjustment approved"),
            _("%(actor)s approved the new deadline of task %(task)s."),
        ),
        "office.adjustment.rejected": (
            _("Deadline adjustment rejected"),
            _("%(actor)s rejected the new deadline of task %(task)s."),
        ),
        "office.petition.assigned": (
            _("Voters' petition %(petition)s assigned to your unit"),
            _("%(actor)s assigned the voters' petition %(petition)s to your unit; the answer is due by %(deadline)s."),
        ),
        # Reminders (office.reminders): the e-mail is the digest itself, sent with the row.
        "office.reminder.digest": (
            _("Task reminder"),
            _("%(due_soon)s tasks are due in 7 days and %(overdue)s tasks are overdue; the e-mail lists them."),
        ),
        "office.reminder.monthly_overdue": (
            _("Monthly notice of overdue tasks"),
            _("%(count)s tasks in %(units)s units are overdue; the e-mail lists them by unit."),
        ),
    }
)
