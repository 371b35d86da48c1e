"""The unit and ministry-wide dashboards: figures, scope, permissions, escaping, query counts."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from office.enums import DeadlineKind
from office.models import DeadlineAdjustment
from office.views.dashboards import sort_rows
from portal.enums import Role, UnitKind
from tests.factories import UnitFactory, user_with_role
from tests.factories.office import TaskFactory, WorkPlanFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


def days(n: int):
    return TODAY + timedelta(days=n)


def task(plan, *, due=None, done=None, lead_unit=None, code=None):
    """A task of `plan`; due=None means no deadline; done is the completion date."""
    extra = {"code": code} if code else {}
    return TaskFactory(
        plan=plan,
        lead_unit=lead_unit or plan.unit,
        deadline_kind=DeadlineKind.DATE if due else DeadlineKind.NONE,
        due_date=due,
        completed_on=done,
        **extra,
    )


@pytest.fixture
def coordinator(org):
    return user_with_role(Role.PLAN_COORDINATOR, None, name="Trịnh Văn Phòng")


@pytest.fixture
def figures(org):
    """One task of each status led by `home` this year, with due-soon and overdue boundaries,
    plus tasks that must not be counted for home: another year, another unit."""
    plan = WorkPlanFactory(unit=org.home, year=YEAR)
    tasks = SimpleNamespace(
        on_time=task(plan, due=days(-10), done=days(-12)),
        on_time_on_the_day=task(plan, due=days(-8), done=days(-8)),
        late=task(plan, due=days(-10), done=days(-5)),
        soon=task(plan, due=days(5)),
        today=task(plan, due=TODAY),
        later=task(plan, due=days(DUE_LATER)),
        at_horizon=task(plan, due=days(14)),
        overdue=task(plan, due=days(-3)),
        old_overdue=task(plan, due=days(-40)),
        no_deadline=task(plan),
    )
    # Led by home's sub-unit (seen by home's leader, not by its staff) and by another unit.
    tasks.child_overdue = task(plan, due=days(-1), lead_unit=org.home_child)
    other_plan = WorkPlanFactory(unit=org.other, year=YEAR)
    tasks.other_overdue = task(other_plan, due=days(-2))
    # Last year's plan: outside the selected year.
    task(WorkPlanFactory(unit=org.home, year=YEAR - 1), due=days(-400))
    return tasks


DUE_LATER = 20


def test_unit_dashboard_counts_the_staff_units_tasks_by_status(client, users, figures):
    client.force_login(users.staff)

    response = client.get(reverse("office:home"))

    assert response.status_code == 200
    context = response.context
    assert context["year"] == YEAR
    assert context["totals"] == {
        "completed_on_time": 2,
        "completed_late": 1,
        "in_progress": 4,
        "overdue": 2,
        "no_deadline": 1,
    }
    assert context["total"] == 10
    # 2 on time out of 2 on time + 1 late + 2 overdue
    assert context["on_time_rate"] == 40.0
    assert [item["count"] for item in context["summary"]] == [2, 1, 4, 2, 1]
    assert [t.pk for t in context["due_soon"]] == [figures.today.pk, figures.soon.pk, figures.at_horizon.pk]
    assert [t.days_left for t in context["due_soon"]] == [0, 5, 14]
    assert [t.pk for t in context["overdue"]] == [figures.old_overdue.pk, figures.overdue.pk]
    assert [t.days_late for t in context["overdue"]] == [40, 3]
    assert context["pending_adjustments"] is None
    assert context["can_view_ministry"] is False
    content = response.content.decode()
    assert f'href="{reverse("office:task_detail", args=[figures.overdue.pk])}"' in content
    assert 'data-figure="on_time_rate">40,0%' in content


def test_unit_dashboard_for_a_leader_includes_sub_units_and_pending_adjustments(client, users, org, figures):
    DeadlineAdjustment.objects.create(
        task=figures.soon,
        requested_by=users.staff,
        old_deadline_kind=DeadlineKind.DATE,
        old_due_date=figures.soon.due_date,
        new_deadline_kind=DeadlineKind.DATE,
        new_due_date=days(30),
        reason="Chờ ý kiến các bộ",
    )
    client.force_login(users.leader)

    response = client.get(reverse("office:home"))

    context = response.context
    assert context["totals"]["overdue"] == 3
    assert context["total"] == 11
    assert [(row.unit.code, row.total, row.counts["overdue"]) for row in context["rows"]] == [
        ("STP-HN", 10, 2),
        ("STP-HN-VP", 1, 1),
    ]
    assert [t.pk for t in context["overdue"]] == [figures.old_overdue.pk, figures.overdue.pk, figures.child_overdue.pk]
    assert context["pending_adjustments"] == 1
    assert 'id="pendingAdjustments"' in response.content.decode()


def test_unit_dashboard_year_selector(client, users, figures):
    client.force_login(users.staff)

    last_year = client.get(reverse("office:home"), {"year": YEAR - 1}).context
    garbage = client.get(reverse("office:home"), {"year": "２０２５"}).context

    assert last_year["year"] == YEAR - 1
    assert last_year["total"] == 1
    assert last_year["totals"]["overdue"] == 1
    assert garbage["year"] == YEAR
    assert garbage["years"] == [YEAR, YEAR - 1]


def test_unit_dashboard_never_shows_another_units_tasks(client, users, figures):
    client.force_login(users.outsider)

    context = client.get(reverse("office:home")).context

    assert context["total"] == 1
    assert [t.pk for t in context["overdue"]] == [figures.other_overdue.pk]


def test_unit_dashboard_redirects_ministry_wide_users_to_the_ministry_dashboard(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("office:home"), {"year": YEAR - 1})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('office:ministry_dashboard')}?year={YEAR - 1}"


def test_unit_dashboard_without_a_unit_role_says_so(client, users):
    client.force_login(users.no_role)

    response = client.get(reverse("office:home"))

    assert response.status_code == 200
    assert response.context["has_unit"] is False
    assert response.context["total"] == 0


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("staff", 403), ("leader", 403), ("no_role", 403), ("officer", 200), ("admin", 200),
     ("council", 200), ("coordinator", 200)],
)
def test_ministry_dashboard_permission(client, users, coordinator, who, expected):
    if who != "anonymous":
        client.force_login(coordinator if who == "coordinator" else getattr(users, who))

    response = client.get(reverse("office:ministry_dashboard"))

    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_ministry_dashboard_figures_per_unit_and_totals(client, coordinator, org, figures):
    client.force_login(coordinator)

    context = client.get(reverse("office:ministry_dashboard")).context

    by_unit = {row.unit.code: row for row in context["rows"]}
    assert sorted(by_unit) == ["STP-HN", "STP-HN-VP", "STP-HP"]
    assert by_unit["STP-HN"].counts == {
        "completed_on_time": 2, "completed_late": 1, "in_progress": 4, "overdue": 2, "no_deadline": 1,
    }
    assert by_unit["STP-HN"].rate_percent == 40.0
    assert by_unit["STP-HP"].rate_percent == 0.0
    assert context["totals"] == {
        "completed_on_time": 2, "completed_late": 1, "in_progress": 4, "overdue": 4, "no_deadline": 1,
    }
    assert context["total"] == 12
    # 2 on time of 2 + 1 + 4
    assert context["on_time_rate"] == pytest.approx(28.6)
    assert [t.pk for t in context["overdue"]] == [
        figures.old_overdue.pk, figures.overdue.pk, figures.other_overdue.pk, figures.child_overdue.pk,
    ]
    assert [t.pk for t in context["due_soon"]] == [figures.today.pk, figures.soon.pk, figures.at_horizon.pk]


def test_ministry_dashboard_chart_bars_share_one_scale(client, coordinator, figures):
    client.force_login(coordinator)

    rows = {row.unit.code: row for row in client.get(reverse("office:ministry_dashboard")).context["rows"]}

    # home has 10 tasks (the longest bar, 220 px); its sub-unit's single overdue task is 22 px.
    assert 'data-status="overdue" data-count="1"' in rows["STP-HN-VP"].chart
    assert 'width="22" height="20" fill="#dc3545" data-status="overdue"' in rows["STP-HN-VP"].chart
    assert 'width="44" height="20" fill="#dc3545" data-status="overdue"' in rows["STP-HN"].chart


def test_ministry_dashboard_filters_by_unit_kind(client, coordinator, org, figures):
    client.force_login(coordinator)

    context = client.get(reverse("office:ministry_dashboard"), {"kind": UnitKind.DIVISION}).context
    ignored = client.get(reverse("office:ministry_dashboard"), {"kind": "<bad>"}).context

    assert [row.unit.code for row in context["rows"]] == ["STP-HN-VP"]
    assert context["total"] == 1
    assert [t.pk for t in context["overdue"]] == [figures.child_overdue.pk]
    assert ignored["kind"] == ""
    assert ignored["total"] == 12


def test_ministry_dashboard_sorts_by_on_time_rate_and_name(client, coordinator, figures):
    client.force_login(coordinator)
    url = reverse("office:ministry_dashboard")

    by_rate = [row.unit.code for row in client.get(url, {"sort": "-rate"}).context["rows"]]
    by_rate_ascending = [row.unit.code for row in client.get(url, {"sort": "rate"}).context["rows"]]
    by_name_desc = [row.unit.code for row in client.get(url, {"sort": "-name"}).context["rows"]]
    unknown_sort = client.get(url, {"sort": "drop table"}).context

    # Rates: Hà Nội 40 %, Hải Phòng 0 %, Văn phòng Sở 0 % (ties keep the Vietnamese name order).
    assert by_rate == ["STP-HN", "STP-HP", "STP-HN-VP"]
    assert by_rate_ascending == ["STP-HP", "STP-HN-VP", "STP-HN"]
    assert by_name_desc == ["STP-HN-VP", "STP-HP", "STP-HN"]
    assert [row.unit.code for row in unknown_sort["rows"]] == ["STP-HN", "STP-HP", "STP-HN-VP"]
    assert unknown_sort["sort"] == "name"


def test_sort_rows_puts_units_without_a_rate_last_both_ways():
    def row(name, rate):
        return SimpleNamespace(unit=SimpleNamespace(sort_key=name, pk=name), on_time_rate=rate, total=1, counts={})

    rows = [row("b", None), row("a", 0.5), row("c", 0.9)]

    assert [r.unit.sort_key for r in sort_rows(rows, "rate")] == ["a", "c", "b"]
    assert [r.unit.sort_key for r in sort_rows(rows, "-rate")] == ["c", "a", "b"]
    assert [r.unit.sort_key for r in sort_rows(rows, "name")] == ["a", "b", "c"]
    assert [r.unit.sort_key for r in sort_rows(rows, "-name")] == ["c", "b", "a"]


def test_ministry_dashboard_escapes_unit_names_in_table_and_chart(client, coordinator, org):
    evil = UnitFactory(code="XSS", name="<script>alert(1)</script>", parent=org.ministry)
    task(WorkPlanFactory(unit=evil, year=YEAR), due=days(-2))
    client.force_login(coordinator)

    content = client.get(reverse("office:ministry_dashboard")).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'aria-label="&lt;script&gt;alert(1)&lt;/script&gt; – ' in content


def _units_with_tasks(parent, count: int) -> None:
    """`count` units under `parent`, each with a plan holding one task of every status."""
    for _ in range(count):
        unit = UnitFactory(parent=parent)
        plan = WorkPlanFactory(unit=unit, year=YEAR)
        task(plan, due=days(-10), done=days(-11))
        task(plan, due=days(-10), done=days(-1))
        task(plan, due=days(3))
        task(plan, due=days(-3))
        task(plan)


@pytest.mark.parametrize("units", [1, 30])
def test_ministry_dashboard_query_count(client, coordinator, org, units, django_assert_num_queries):
    _units_with_tasks(org.ministry, units)
    client.force_login(coordinator)
    # session, user, scope, unread count, plan years, counts by unit and status, units, due soon, overdue
    with django_assert_num_queries(9):
        response = client.get(reverse("office:ministry_dashboard"))
    assert len(response.context["rows"]) == units
    assert response.context["total"] == 5 * units


@pytest.mark.parametrize("units", [1, 30])
def test_unit_dashboard_query_count(client, users, org, units, django_assert_num_queries):
    _units_with_tasks(org.home, units)
    client.force_login(users.leader)
    # session, user, scope, unread count, plan years, counts by unit and status, units, due soon, overdue,
    # pending adjustments
    with django_assert_num_queries(10):
        response = client.get(reverse("office:home"))
    assert len(response.context["rows"]) == units
    assert response.context["total"] == 5 * units
