"""Reminders: due in 7 days and overdue (first day, then weekly), the Office's monthly notice,
one e-mail per recipient and day, in Vietnamese, and idempotent even with a real worker."""

import threading
from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.core import mail
from django.db import connection
from django.utils import translation

from office import reminders
from office.enums import ReminderKind
from office.models import ReminderLog, Task
from office.reminders import reminder_due_dates, reminder_kind
from office.tasks import send_daily_reminders, send_monthly_overdue_notice
from portal.celery import app
from portal.enums import Role
from portal.models import Notification, Person
from portal.selectors import leaders_of
from tests.factories import PersonFactory, UnitFactory, UserFactory, user_with_role
from tests.factories.office import TaskFactory, WorkPlanFactory

TODAY = date(2026, 3, 9)
DAY = TODAY.isoformat()


def logs() -> list[tuple]:
    return sorted(ReminderLog.objects.values_list("task__code", "recipient__username", "kind", "day"))


def mails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


@pytest.fixture
def assign(users):
    """Assign the home staff member (who has a login and an e-mail) to the given tasks."""

    def assign(*tasks):
        person = Person.objects.get(user=users.staff)
        for task in tasks:
            task.assignees.add(person)

    return assign


def due_task(plan, code: str, days: int, **values):
    """A task of `plan` whose deadline is `days` after TODAY (negative: before)."""
    return TaskFactory(
        plan=plan, code=code, lead_unit=plan.unit, due_date=TODAY + timedelta(days=days), **values
    )


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "kind"), [(8, None), (7, ReminderKind.DUE_SOON), (6, None), (0, None)])
def test_reminder_kind_due_soon_exactly_seven_days_ahead(days, kind):
    assert reminder_kind(due=TODAY + timedelta(days=days), today=TODAY) == kind


@pytest.mark.parametrize(
    ("late", "kind"),
    [
        (1, ReminderKind.OVERDUE),
        (2, None),
        (7, None),
        (8, ReminderKind.OVERDUE),
        (14, None),
        (15, ReminderKind.OVERDUE),
    ],
)
def test_reminder_kind_overdue_on_first_day_then_every_seven_days(late, kind):
    assert reminder_kind(due=TODAY - timedelta(days=late), today=TODAY) == kind


def test_reminder_kind_none_without_deadline_or_once_completed():
    assert reminder_kind(due=None, today=TODAY) is None
    assert reminder_kind(due=TODAY + timedelta(days=7), completed_on=TODAY, today=TODAY) is None
    assert reminder_kind(due=TODAY - timedelta(days=1), completed_on=TODAY, today=TODAY) is None


def test_reminder_due_dates_cover_every_weekly_overdue_day_back_to_the_oldest():
    dates = reminder_due_dates(today=TODAY, oldest_due=TODAY - timedelta(days=20))
    assert dates == [
        TODAY + timedelta(days=7),
        TODAY - timedelta(days=1),
        TODAY - timedelta(days=8),
        TODAY - timedelta(days=15),
    ]
    assert reminder_due_dates(today=TODAY, oldest_due=None) == [TODAY + timedelta(days=7)]
    for offset in range(-30, 10):
        due = TODAY + timedelta(days=offset)
        expected = reminder_kind(due=due, today=TODAY) is not None
        assert (due in reminder_due_dates(today=TODAY, oldest_due=TODAY - timedelta(days=30))) == expected


# --- Daily reminders --------------------------------------------------------------------------


def test_daily_reminders_only_for_tasks_due_in_exactly_seven_days(plan, users, assign):
    assign(due_task(plan, "NV06", 6), due_task(plan, "NV07", 7), due_task(plan, "NV08", 8))

    result = reminders.send_daily_reminders(today=TODAY)

    assert logs() == sorted(
        [
            ("NV07", users.leader.username, "due_soon", TODAY),
            ("NV07", users.staff.username, "due_soon", TODAY),
        ]
    )
    assert result == {"emails": 2, "reminders": 2}
    assert [len(mails_to(users.staff)), len(mails_to(users.leader))] == [1, 1]
    body = mails_to(users.staff)[0].body
    assert "NV07" in body
    assert "NV06" not in body
    assert "NV08" not in body


def test_daily_reminders_overdue_first_day_and_weekly(plan, users, assign):
    assign(
        due_task(plan, "QH01", -1),
        due_task(plan, "QH02", -2),
        due_task(plan, "QH08", -8),
        due_task(plan, "QH09", -9),
    )

    reminders.send_daily_reminders(today=TODAY)

    assert {code for code, _user, _kind, _day in logs()} == {"QH01", "QH08"}
    assert {kind for _code, _user, kind, _day in logs()} == {ReminderKind.OVERDUE}
    body = mails_to(users.staff)[0].body
    assert "QH01" in body
    assert "QH08" in body
    assert "QH02" not in body


def test_daily_reminders_never_for_completed_tasks(plan, users, assign):
    assign(
        due_task(plan, "XONG1", 7, completed_on=TODAY - timedelta(days=1)),
        due_task(plan, "XONG2", -1, completed_on=TODAY),
    )

    assert reminders.send_daily_reminders(today=TODAY) == {"emails": 0, "reminders": 0}
    assert logs() == []
    assert mail.outbox == []


def test_daily_reminders_one_digest_per_recipient_listing_all_their_tasks(plan, users, assign):
    assign(due_task(plan, "NV01", 7), due_task(plan, "NV02", 7), due_task(plan, "QH01", -1))

    reminders.send_daily_reminders(today=TODAY)

    assert len(mail.outbox) == 2
    assert ReminderLog.objects.count() == 6
    for user in (users.staff, users.leader):
        (message,) = mails_to(user)
        assert all(code in message.body for code in ("NV01", "NV02", "QH01"))
        assert message.subject == (
            "[Cổng TĐKT] Nhắc việc ngày 09/03/2026: 2 nhiệm vụ đến hạn trong 7 ngày, 1 nhiệm vụ quá hạn"
        )
    notification = Notification.objects.get(recipient=users.staff, kind="office.reminder.digest")
    assert notification.params == {"due_soon": 2, "overdue": 1}
    assert notification.emailed_at is not None  # the digest was its e-mail: no second one


def test_daily_reminders_run_twice_send_once_per_recipient_and_day(
    plan, users, assign, django_capture_on_commit_callbacks
):
    assign(due_task(plan, "NV01", 7), due_task(plan, "QH01", -1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_daily_reminders(today=TODAY)
    before = (logs(), len(mail.outbox), Notification.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_daily_reminders(today=TODAY)

    assert second == {"emails": 0, "reminders": 0}
    assert (logs(), len(mail.outbox), Notification.objects.count()) == before
    assert before[1] == 2


def test_daily_reminders_next_day_do_not_repeat_and_a_task_added_later_gets_its_own_email(
    plan, users, assign
):
    assign(due_task(plan, "NV01", 7))
    reminders.send_daily_reminders(today=TODAY)
    assign(due_task(plan, "NV02", 7))

    reminders.send_daily_reminders(today=TODAY)
    reminders.send_daily_reminders(today=TODAY + timedelta(days=1))

    staff_mails = mails_to(users.staff)
    assert len(staff_mails) == 2
    assert "NV02" in staff_mails[1].body
    assert "NV01" not in staff_mails[1].body
    assert ReminderLog.objects.filter(task__code="NV01").count() == 2  # staff and leader, once


def test_daily_reminders_reach_only_active_users_with_an_email_and_a_login(plan, org, users):
    task = due_task(plan, "NV01", 7)
    no_email = user_with_role(Role.STAFF, org.home, name="Lê Thị Không Thư")
    no_email.email = ""
    no_email.save()
    inactive = user_with_role(Role.STAFF, org.home, name="Trần Văn Nghỉ")
    inactive.is_active = False
    inactive.save()
    inactive_leader = user_with_role(Role.UNIT_LEADER, org.home, name="Phạm Văn Cũ")
    inactive_leader.is_active = False
    inactive_leader.save()
    no_login = PersonFactory(unit=org.home, full_name="Đinh Văn Chưa Có", email="chuaco@example.vn")
    task.assignees.add(no_email.person, inactive.person, no_login)

    reminders.send_daily_reminders(today=TODAY)

    assert logs() == [("NV01", users.leader.username, "due_soon", TODAY)]
    assert [message.to for message in mail.outbox] == [[users.leader.email]]


def test_daily_reminders_reach_leaders_of_units_above_the_lead_unit(org, users):
    plan = WorkPlanFactory(unit=org.home_child, year=2026)
    due_task(plan, "VP01", -1)
    ministry_leader = user_with_role(Role.UNIT_LEADER, org.ministry, name="Nguyễn Văn Bộ")
    other_leader = user_with_role(Role.UNIT_LEADER, org.other, name="Hồ Thị Khác")

    reminders.send_daily_reminders(today=TODAY)

    recipients = {user for _code, user, _kind, _day in logs()}
    assert recipients == {users.leader.username, ministry_leader.username}
    assert other_leader.username not in recipients


def test_leaders_by_unit_follows_the_rule_of_leaders_of(org, users):
    user_with_role(Role.UNIT_LEADER, org.ministry, name="Nguyễn Văn Bộ")
    user_with_role(Role.UNIT_LEADER, org.other, name="Hồ Thị Khác")
    units = [org.ministry, org.home, org.home_child, org.other]

    leaders = reminders.leaders_by_unit(units)

    for unit in units:
        assert sorted(user.pk for user in leaders[unit.pk]) == sorted(user.pk for user in leaders_of(unit)), (
            unit.code
        )


@pytest.mark.parametrize("count", [1, 30])
def test_reminders_for_costs_the_same_queries_for_1_or_30_tasks(count, org, django_assert_num_queries):
    for n in range(count):
        unit = UnitFactory(parent=org.home)
        user_with_role(Role.UNIT_LEADER, unit, name=f"Lãnh Đạo Số {n}")
        assignee = user_with_role(Role.STAFF, unit, name=f"Cán Bộ Số {n}")
        plan = WorkPlanFactory(unit=unit, year=2026)
        due_task(plan, f"NV{n}", 7).assignees.add(assignee.person)
        due_task(plan, f"QH{n}", -8).assignees.add(assignee.person)

    with django_assert_num_queries(4):
        found = reminders.reminders_for(today=TODAY)
        names = {reminder.recipient.person.full_name for reminder in found}  # selected with the user

    assert len(found) == 4 * count
    assert len(names) == 2 * count


def test_a_run_that_read_before_another_run_committed_sends_nothing(plan, users, assign, monkeypatch):
    assign(due_task(plan, "NV01", 7))
    reminders.send_daily_reminders(today=TODAY)
    sent = len(mail.outbox)
    # A concurrent run read the log before the first one committed: the constraint stops it.
    monkeypatch.setattr(reminders, "_already_logged", lambda **kwargs: set())

    assert reminders.send_daily_reminders(today=TODAY) == {"emails": 0, "reminders": 0}
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(kind="office.reminder.digest").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_digest_once(org, users, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: SQLite serialises them with a file lock")
    plan = WorkPlanFactory(unit=org.home, year=2026)
    task = due_task(plan, "NV01", 7)
    task.assignees.add(users.staff.person)
    due_task(plan, "QH01", -1)
    both_have_read = threading.Barrier(2)
    read = reminders._already_logged

    def read_then_wait(**kwargs):
        logged = read(**kwargs)
        both_have_read.wait(timeout=10)  # both runs saw an empty log before either wrote to it
        return logged

    monkeypatch.setattr(reminders, "_already_logged", read_then_wait)
    results = []

    def run():
        try:
            results.append(reminders.send_daily_reminders(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2  # both runs finished, neither failed
    assert sum(result["emails"] for result in results) == 2
    assert sum(result["reminders"] for result in results) == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted([users.staff.email, users.leader.email])
    assert ReminderLog.objects.count() == 3
    assert Notification.objects.filter(kind="office.reminder.digest").count() == 2


def test_an_email_that_fails_rolls_its_log_back_so_the_retry_sends_it(plan, users, assign, monkeypatch):
    assign(due_task(plan, "NV01", 7))
    real_send = reminders.send_mail

    def flaky(subject, body, sender, to):
        if to == [users.staff.email]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(subject, body, sender, to)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    with pytest.raises(ConnectionRefusedError):
        reminders.send_daily_reminders(today=TODAY)
    assert logs() == [("NV01", users.leader.username, "due_soon", TODAY)]
    assert not Notification.objects.filter(recipient=users.staff).exists()

    monkeypatch.setattr(reminders, "send_mail", real_send)
    assert reminders.send_daily_reminders(today=TODAY) == {"emails": 1, "reminders": 1}
    assert [message.to for message in mail.outbox] == [[users.leader.email], [users.staff.email]]


def test_daily_reminder_email_is_vietnamese_whatever_the_active_language(plan, org, users, assign):
    assign(
        due_task(plan, "NV01", 7, content="Tổng kết 10 năm thi hành Luật Hộ tịch"), due_task(plan, "QH01", -8)
    )

    with translation.override("en"):
        send_daily_reminders.delay(day=DAY).get()

    (message,) = mails_to(users.staff)
    assert message.subject == (
        "[Cổng TĐKT] Nhắc việc ngày 09/03/2026: 1 nhiệm vụ đến hạn trong 7 ngày, 1 nhiệm vụ quá hạn"
    )
    body = message.body
    assert body.startswith("Kính gửi đồng chí Lê Văn Cán,\n\nTính đến ngày 09 tháng 03 năm 2026, ")
    assert "Đến hạn sau 7 ngày, vào ngày 16/03/2026 (1 nhiệm vụ):" in body
    assert (
        "1. NV01 – Tổng kết 10 năm thi hành Luật Hộ tịch\n"
        "   Đơn vị chủ trì: Sở Tư pháp Hà Nội. Thời hạn: 16/03/2026. Tiến độ: 0%.\n"
        "   Đồng chí được giao thực hiện nhiệm vụ này.\n"
        f"   http://127.0.0.1:8000/office/tasks/{Task.objects.get(code='NV01').pk}/\n"
    ) in body
    assert "Quá hạn (1 nhiệm vụ):" in body
    assert "Thời hạn: 01/03/2026 (quá hạn 8 ngày)." in body
    assert body.endswith("vui lòng không trả lời thư này.\n")
    assert "{%" not in body
    assert "\n\n\n" not in body


# --- The Office's monthly notice ----------------------------------------------------------------


def test_monthly_notice_goes_only_to_coordinators_listing_overdue_tasks_per_unit(
    plan, org, users, coordinator, assign
):
    assign(due_task(plan, "QH01", -3), due_task(plan, "QH02", -40), due_task(plan, "NV01", 7))
    due_task(plan, "XONG", -5, completed_on=TODAY - timedelta(days=6))
    other_plan = WorkPlanFactory(unit=org.other, year=2026)
    due_task(other_plan, "HP01", -1)
    inactive = user_with_role(Role.PLAN_COORDINATOR, org.ministry, name="Trương Thị Nghỉ")
    inactive.is_active = False
    inactive.save()

    with translation.override("en"):
        result = send_monthly_overdue_notice.delay(day=DAY).get()

    assert result == {"emails": 1, "tasks": 3}
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    message = mail.outbox[0]
    assert message.subject == "[Cổng TĐKT] Nhiệm vụ quá hạn tính đến ngày 09/03/2026: 3 nhiệm vụ của 2 đơn vị"
    body = message.body
    assert body.startswith(
        "Kính gửi đồng chí Trương Văn Phòng,\n\n"
        "Tính đến ngày 09 tháng 03 năm 2026, có 3 nhiệm vụ trong kế hoạch công tác năm chưa hoàn thành, quá hạn."
    )
    assert "- Sở Tư pháp Hà Nội: 2\n" in body
    assert "- Sở Tư pháp Hải Phòng: 1\n" in body
    # Units with the most overdue tasks first; in a unit, the oldest deadline first.
    assert body.index("SỞ TƯ PHÁP HÀ NỘI (2)") < body.index("QH02") < body.index("QH01") < body.index("HP01")
    assert "NV01" not in body
    assert "XONG" not in body
    assert list(ReminderLog.objects.values_list("task", "recipient", "kind", "day")) == [
        (None, coordinator.pk, "monthly_overdue", TODAY)
    ]


def test_monthly_notice_run_twice_sends_once(plan, coordinator):
    due_task(plan, "QH01", -3)

    reminders.send_monthly_overdue_notice(today=TODAY)
    second = reminders.send_monthly_overdue_notice(today=TODAY)

    assert second == {"emails": 0, "tasks": 0}
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.filter(kind="monthly_overdue").count() == 1
    assert Notification.objects.filter(kind="office.reminder.monthly_overdue").count() == 1


def test_monthly_notice_lists_a_limited_number_per_unit_and_links_the_rest(plan, coordinator, monkeypatch):
    monkeypatch.setattr(reminders, "MONTHLY_TASKS_PER_UNIT", 2)
    for n in range(5):
        due_task(plan, f"QH0{n}", -3 - n)

    reminders.send_monthly_overdue_notice(today=TODAY)

    body = mail.outbox[0].body
    assert "QH04" in body
    assert "QH03" in body
    assert "QH02" not in body
    assert f"/office/tasks/?status=overdue&unit={plan.unit.pk}" in body


# --- Scheduling and the real worker -----------------------------------------------------------


def test_beat_runs_the_reminders_daily_at_7_and_the_notice_monthly_on_the_1st():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule

    assert schedule["office-daily-reminders"]["task"] == "office.send_daily_reminders"
    assert schedule["office-daily-reminders"]["schedule"] == crontab(hour=7, minute=0)
    assert schedule["office-monthly-overdue-notice"]["task"] == "office.send_monthly_overdue_notice"
    assert schedule["office-monthly-overdue-notice"]["schedule"] == crontab(hour=7, minute=30, day_of_month=1)
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    assert {"office.send_daily_reminders", "office.send_monthly_overdue_notice"} <= set(app.tasks)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_logs_each_reminder_once_when_the_job_runs_twice(celery_worker, org, users, coordinator):
    plan = WorkPlanFactory(unit=org.home, year=2026)
    assignee = UserFactory(email="canbo.thu@example.vn")
    PersonFactory(user=assignee, unit=org.home, full_name="Lê Thị Thu")
    due_task(plan, "NV01", 7).assignees.add(assignee.person)
    due_task(plan, "QH01", -1)

    first = send_daily_reminders.delay(day=DAY).get(timeout=60)
    second = send_daily_reminders.delay(day=DAY).get(timeout=60)

    assert (first, second) == ({"emails": 2, "reminders": 3}, {"emails": 0, "reminders": 0})
    assert logs() == sorted(
        [
            ("NV01", assignee.username, "due_soon", TODAY),
            ("NV01", users.leader.username, "due_soon", TODAY),
            ("QH01", users.leader.username, "overdue", TODAY),
        ]
    )
    assert Notification.objects.filter(kind="office.reminder.digest").count() == 2

