"""Reminders about work-plan tasks (nhắc việc): who hears about which task today, sent once only.

Cadence (the pure rule is `reminder_kind`):
* ``due_soon``: an open task whose deadline is exactly 7 days ahead, once.
* ``overdue``: an open task past its deadline, on the first day overdue and then every 7 days
  (1, 8, 15 … days late), which keeps it in view without a daily e-mail. A day on which the job
  did not run is not caught up: the next reminder comes on the next weekly day.
* ``monthly_overdue``: on the 1st of the month every plan coordinator (the Office, Văn phòng Bộ)
  gets one notice of all overdue tasks, counted and listed per lead unit.

Recipients of a task reminder: its assignees who have an active login with an e-mail address,
and the leaders of its lead unit (the rule of portal.selectors.leaders_of, computed once for
all the day's units); inactive users and users without an address are left out.

Once only: ReminderLog holds one row per (task, recipient, kind, day), or per (recipient, kind,
day) for the monthly notice, under unique constraints. For each recipient one transaction
inserts the rows not logged yet, creates the in-app notification and sends the e-mail. A second
run (even a concurrent one: PostgreSQL makes its insert wait for the first transaction, then
fail on the constraint) finds the rows or fails and sends nothing; an e-mail that cannot be
sent rolls its rows back, so the task's retry sends it again.

One e-mail per recipient and day lists all their newly logged tasks (a digest). Its in-app twin
is a Notification stored with ``emailed_at`` already set: the digest *is* that notification's
e-mail, so portal.notifications' one-line mailer never sends a second message about it.
Callers activate the language (office.tasks renders everything in Vietnamese).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Min, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from office.enums import ReminderKind
from office.models import ReminderLog, Task
from portal.enums import Role
from portal.models import Notification, Person, RoleGrant, Unit

DUE_SOON_DAYS = 7
OVERDUE_EVERY_DAYS = 7
# The portal's name opens every subject, in every language, like the sender name in DEFAULT_FROM_EMAIL.
SUBJECT_PREFIX = "[Cổng TĐKT]"
# The monthly notice lists this many overdue tasks per unit, then links to the full list.
MONTHLY_TASKS_PER_UNIT = 30

User = get_user_model()


# --- The rule ---------------------------------------------------------------------------------


def reminder_kind(*, due: date | None, completed_on: date | None = None, today: date) -> str | None:
    """Which reminder (if any) a task gets today: due_soon, overdue or None."""
    if due is None or completed_on is not None:
        return None
    if (due - today).days == DUE_SOON_DAYS:
        return ReminderKind.DUE_SOON
    late = (today - due).days
    if late >= 1 and (late - 1) % OVERDUE_EVERY_DAYS == 0:
        return ReminderKind.OVERDUE
    return None


def reminder_due_dates(*, today: date, oldest_due: date | None) -> list[date]:
    """Every due date for which `reminder_kind` answers today, back to the oldest open deadline."""
    dates = [today + timedelta(days=DUE_SOON_DAYS)]
    if oldest_due is not None and oldest_due < today:
        late = 1
        while today - timedelta(days=late) >= oldest_due:
            dates.append(today - timedelta(days=late))
            late += OVERDUE_EVERY_DAYS
    return dates


# --- Who hears about what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    task: Task
    recipient: object  # a User
    kind: str
    as_assignee: bool  # False: the recipient leads the task's lead unit


def _reachable(users):
    return users.filter(is_active=True).exclude(email="")


def leaders_by_unit(units) -> dict[int, list]:
    """{unit id: leaders with an e-mail}, by the rule of portal.selectors.leaders_of (a leader
    grant on the unit or on a unit above it), in one query for all the units."""
    units = list(units)
    ancestor_paths = set()
    for unit in units:
        parts = unit.path.strip("/").split("/")
        ancestor_paths.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    grants = list(
        RoleGrant.objects.filter(
            role=Role.UNIT_LEADER, unit__path__in=ancestor_paths, user__in=_reachable(User.objects.all())
        )
        .select_related("user__person", "unit")
        .order_by("user_id")
    )
    leaders: dict[int, list] = {}
    for unit in units:
        found = {grant.user_id: grant.user for grant in grants if unit.path.startswith(grant.unit.path)}
        leaders[unit.pk] = list(found.values())
    return leaders


def reminders_for(*, today: date) -> list[Reminder]:
    """Today's task reminders, one per (task, recipient), in four queries whatever the count."""
    open_tasks = Task.objects.filter(completed_on__isnull=True, due_date__isnull=False)
    oldest = open_tasks.filter(due_date__lt=today).aggregate(oldest=Min("due_date"))["oldest"]
    assignees = Person.objects.filter(is_active=True, user__in=_reachable(User.objects.all())).select_related(
        "user"
    )
    tasks = list(
        open_tasks.filter(due_date__in=reminder_due_dates(today=today, oldest_due=oldest))
        .select_related("lead_unit", "plan")
        .prefetch_related(Prefetch("assignees", queryset=assignees, to_attr="reachable_assignees"))
        .order_by("due_date", "plan__year", "code", "pk")
    )
    leaders = leaders_by_unit({task.lead_unit_id: task.lead_unit for task in tasks}.values())
    reminders = []
    for task in tasks:
        kind = reminder_kind(due=task.due_date, completed_on=task.completed_on, today=today)
        recipients = {person.user.pk: (person.user, True) for person in task.reachable_assignees}
        for leader in leaders[task.lead_unit_id]:
            recipients.setdefault(leader.pk, (leader, False))
        reminders += [Reminder(task, user, kind, as_assignee) for user, as_assignee in recipients.values()]
    return reminders


# --- Sending ----------------------------------------------------------------------------------


def send_daily_reminders(*, today: date) -> dict[str, int]:
    """Send today's due-soon and overdue reminders: one digest e-mail per recipient listing the
    tasks not reminded to them today yet. Returns counts; re-raises the first e-mail failure
    after trying every recipient, so that a retry sends the rest."""
    by_recipient: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in reminders_for(today=today):
        by_recipient[reminder.recipient.pk].append(reminder)
    logged = _already_logged(today=today, recipient_ids=list(by_recipient))
    counts = {"emails": 0, "reminders": 0}
    failures: list[Exception] = []
    for recipient_id in sorted(by_recipient):
        fresh = [r for r in by_recipient[recipient_id] if (r.task.pk, recipient_id, r.kind) not in logged]
        if not fresh:
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.bulk_create(
                    [
                        ReminderLog(task=r.task, recipient_id=recipient_id, kind=r.kind, day=today)
                        for r in fresh
                    ]
                )
                _send_digest(fresh, today)
        except IntegrityError:
            continue  # a concurrent run logged these first, and its transaction sent them
        except OSError as error:  # smtplib.SMTPException is an OSError
            failures.append(error)
            continue
        counts["emails"] += 1
        counts["reminders"] += len(fresh)
    if failures:
        raise failures[0]
    return counts


def _already_logged(*, today: date, recipient_ids: list[int]) -> set[tuple[int, int, str]]:
    """(task id, recipient id, kind) of the task reminders logged today: a fast first filter;
    the unique constraint still decides when two runs overlap."""
    return set(
        ReminderLog.objects.filter(
            day=today, kind__in=[ReminderKind.DUE_SOON, ReminderKind.OVERDUE], recipient_id__in=recipient_ids
        ).values_list("task_id", "recipient_id", "kind")
    )


def _send_digest(reminders: list[Reminder], today: date) -> None:
    recipient = reminders[0].recipient
    due_soon = [_item(r, today) for r in reminders if r.kind == ReminderKind.DUE_SOON]
    overdue = [_item(r, today) for r in reminders if r.kind == ReminderKind.OVERDUE]
    overdue.sort(key=lambda item: (-item["days_late"], item["task"].code))
    params = {"due_soon": len(due_soon), "overdue": len(overdue)}
    subject = _("Task reminder of %(day)s: %(due_soon)s due in 7 days, %(overdue)s overdue") % {
        **params,
        "day": today.strftime("%d/%m/%Y"),
    }
    body = _render(
        "office/email/reminder_digest.txt",
        {
            "name": _name(recipient),
            "today": today,
            "due_soon_day": today + timedelta(days=DUE_SOON_DAYS),
            "due_soon": due_soon,
            "overdue": overdue,
            "list_url": _absolute(reverse("office:task_list")),
        },
    )
    list_query = "?status=overdue" if overdue else f"?due={DUE_SOON_DAYS}"
    Notification.objects.create(
        recipient=recipient,
        kind="office.reminder.digest",
        params=params,
        url=reverse("office:task_list") + list_query,
        emailed_at=timezone.now(),
    )
    send_mail(f"{SUBJECT_PREFIX} {subject}", body, None, [recipient.email])


def _item(reminder: Reminder, today: date) -> dict:
    task = reminder.task
    return {
        "task": task,
        "deadline": task.deadline_label,
        "days_late": max((today - task.due_date).days, 0),
        "as_assignee": reminder.as_assignee,
        "url": _absolute(reverse("office:task_detail", args=[task.pk])),
    }


def send_monthly_overdue_notice(*, today: date) -> dict[str, int]:
    """The Office's monthly notice: to each plan coordinator, the tasks overdue today, counted
    and listed per lead unit; logged as ReminderLog(task=None, kind=monthly_overdue)."""
    coordinators = list(
        _reachable(User.objects.filter(role_grants__role=Role.PLAN_COORDINATOR))
        .select_related("person")
        .distinct()
        .order_by("pk")
    )
    done = set(
        ReminderLog.objects.filter(
            task=None, kind=ReminderKind.MONTHLY_OVERDUE, day=today, recipient__in=coordinators
        ).values_list("recipient_id", flat=True)
    )
    waiting = [user for user in coordinators if user.pk not in done]
    if not waiting:
        return {"emails": 0, "tasks": 0}
    overdue = list(
        Task.objects.filter(completed_on__isnull=True, due_date__lt=today)
        .select_related("lead_unit")
        .order_by("due_date", "code", "pk")
    )
    units = _overdue_by_unit(overdue, today)
    subject = _("Overdue tasks as of %(day)s: %(count)s tasks in %(units)s units") % {
        "day": today.strftime("%d/%m/%Y"),
        "count": len(overdue),
        "units": len(units),
    }
    counts = {"emails": 0, "tasks": len(overdue)}
    failures: list[Exception] = []
    for user in waiting:
        body = _render(
            "office/email/monthly_overdue.txt",
            {"name": _name(user), "today": today, "units": units, "total": len(overdue)},
        )
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    task=None, recipient=user, kind=ReminderKind.MONTHLY_OVERDUE, day=today
                )
                Notification.objects.create(
                    recipient=user,
                    kind="office.reminder.monthly_overdue",
                    params={"count": len(overdue), "units": len(units)},
                    url=reverse("office:task_list") + "?status=overdue",
                    emailed_at=timezone.now(),
                )
                send_mail(f"{SUBJECT_PREFIX} {subject}", body, None, [user.email])
        except IntegrityError:
            continue
        except OSError as error:
            failures.append(error)
            continue
        counts["emails"] += 1
    if failures:
        raise failures[0]
    return counts


@dataclass
class UnitOverdue:
    unit: Unit
    count: int
    items: list[dict]
    more: int
    url: str


def _overdue_by_unit(tasks: list[Task], today: date) -> list[UnitOverdue]:
    grouped: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        grouped[task.lead_unit_id].append(task)
    list_url = _absolute(reverse("office:task_list"))
    rows = []
    for unit_tasks in grouped.values():
        unit = unit_tasks[0].lead_unit
        shown = unit_tasks[:MONTHLY_TASKS_PER_UNIT]
        rows.append(
            UnitOverdue(
                unit=unit,
                count=len(unit_tasks),
                items=[
                    {"task": task, "deadline": task.deadline_label, "days_late": (today - task.due_date).days}
                    for task in shown
                ],
                more=len(unit_tasks) - len(shown),
                url=f"{list_url}?status=overdue&unit={unit.pk}",
            )
        )
    rows.sort(key=lambda row: (-row.count, row.unit.sort_key))  # the units most behind first
    return rows


# --- Helpers ----------------------------------------------------------------------------------


def _name(user) -> str:
    person = getattr(user, "person", None)  # selected with the user: no query
    return (person.full_name if person else "") or user.get_full_name() or user.username


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")


def _render(template: str, context: dict) -> str:
    """A plain-text e-mail body: template tags leave blank lines, keep at most one in a row."""
    text = render_to_string(template, context)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"
