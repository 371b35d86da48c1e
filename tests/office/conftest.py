"""Fixtures of the work-plan tests: an issued plan of `home` with one open task, and the Office."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.enums import Role
from tests.factories import user_with_role
from tests.factories.office import IssuedPlanFactory, TaskFactory, WorkPlanFactory


@pytest.fixture
def coordinator(org):
    """A plan coordinator of the Office (Văn phòng Bộ), who follows every unit's plan."""
    return user_with_role(Role.PLAN_COORDINATOR, org.ministry, name="Trương Văn Phòng")


@pytest.fixture
def plan(org):
    return IssuedPlanFactory(unit=org.home, year=timezone.localdate().year)


@pytest.fixture
def draft_plan(org):
    return WorkPlanFactory(unit=org.home, year=timezone.localdate().year + 1)


@pytest.fixture
def task(plan, org):
    return TaskFactory(plan=plan, lead_unit=org.home, code="NV01", due_date=timezone.localdate() + timedelta(days=20))


@pytest.fixture
def other_task(org):
    other_plan = IssuedPlanFactory(unit=org.other, year=timezone.localdate().year)
    return TaskFactory(plan=other_plan, lead_unit=org.other, code="HP01", due_date=timezone.localdate() + timedelta(days=20))
