"""Permission predicates of the work-plan app.

Seeing a plan, task or petition is the selectors' job (outside scope = 404). Working on a task
means being staff or leader of its lead unit (leaders: of a unit above it too), or the Office's
plan coordinator; deciding a deadline change is for the lead unit's leader or the coordinator.
"""

import rules

from office.enums import EDITABLE_PLAN_STATES, PlanState
from portal.access import scope_of
from portal.enums import Role
from portal.rules import is_plan_coordinator, is_system_admin

runs_all_plans = is_plan_coordinator | is_system_admin


def works_for(user, unit) -> bool:
    """Staff of exactly this unit, or a leader of it or of a unit above it."""
    scope = scope_of(user)
    if unit is None:
        return False
    return (Role.STAFF in scope.roles and unit.pk in scope.staff_unit_ids) or any(
        unit.path.startswith(path) for path in scope.leader_paths
    )


def leads(user, unit) -> bool:
    return unit is not None and any(unit.path.startswith(path) for path in scope_of(user).leader_paths)


@rules.predicate
def works_for_plan_unit(user, plan) -> bool:
    return plan is not None and works_for(user, plan.unit)


@rules.predicate
def leads_plan_unit(user, plan) -> bool:
    return plan is not None and leads(user, plan.unit)


@rules.predicate
def plan_is_editable(user, plan) -> bool:
    return plan is not None and plan.state in EDITABLE_PLAN_STATES


@rules.predicate
def plan_is_submitted(user, plan) -> bool:
    return plan is not None and plan.state == PlanState.SUBMITTED


@rules.predicate
def plan_is_issued(user, plan) -> bool:
    return plan is not None and plan.state == PlanState.ISSUED


@rules.predicate
def works_for_task_unit(user, task) -> bool:
    return task is not None and works_for(user, task.lead_unit)


@rules.predicate
def is_task_assignee(user, task) -> bool:
    # Assignees are prefetched on detail pages; a list never asks this per row.
    return task is not None and task.pk is not None and any(p.user_id == user.pk for p in task.assignees.all())


@rules.predicate
def leads_task_unit(user, task) -> bool:
    return task is not None and leads(user, task.lead_unit)


@rules.predicate
def task_plan_is_editable(user, task) -> bool:
    return task is not None and task.plan.state in EDITABLE_PLAN_STATES


@rules.predicate
def task_plan_is_issued(user, task) -> bool:
    return task is not None and task.plan.state == PlanState.ISSUED


@rules.predicate
def task_is_open(user, task) -> bool:
    return task is not None and task.completed_on is None


@rules.predicate
def works_for_petition_unit(user, petition) -> bool:
    return petition is not None and works_for(user, petition.lead_unit)


can_work_on_task = runs_all_plans | works_for_task_unit | is_task_assignee
can_decide_all_adjustments = runs_all_plans



@rules.predicate
def has_unit_role(user) -> bool:
    scope = scope_of(user)
    return bool(scope.staff_unit_ids or scope.leader_paths)


@rules.predicate
def sees_whole_ministry(user) -> bool:
    return scope_of(user).ministry_wide


edits_plan = plan_is_editable & (runs_all_plans | works_for_plan_unit)

rules.add_perm("office.add_workplan", runs_all_plans | has_unit_role)
rules.add_perm("office.change_workplan", edits_plan)
rules.add_perm("office.submit_workplan", edits_plan)
rules.add_perm("office.issue_workplan", plan_is_submitted & (runs_all_plans | leads_plan_unit))
rules.add_perm("office.return_workplan", plan_is_submitted & (runs_all_plans | leads_plan_unit))
# Tasks arise all year: the unit adds them to its issued plan too. Once the plan is issued a
# task's deadline moves only through an adjustment (office.services.task_update enforces it).
rules.add_perm("office.add_task", (plan_is_editable | plan_is_issued) & (runs_all_plans | works_for_plan_unit))
rules.add_perm("office.change_task", runs_all_plans | works_for_task_unit)
rules.add_perm("office.delete_task", task_plan_is_editable & (runs_all_plans | works_for_task_unit))
rules.add_perm("office.report_progress", task_is_open & can_work_on_task)
rules.add_perm("office.complete_task", task_is_open & can_work_on_task)
rules.add_perm("office.request_adjustment", task_plan_is_issued & task_is_open & can_work_on_task)
rules.add_perm("office.decide_adjustment", runs_all_plans | leads_task_unit)
rules.add_perm("office.add_petition", runs_all_plans)
rules.add_perm("office.answer_petition", runs_all_plans | works_for_petition_unit)
rules.add_perm("office.view_ministry_dashboard", sees_whole_ministry)
