"""Query budget: every GET page of the portal, as every role, on a small data set of the sector's
shape, runs at most its page's budget of queries (none above 25) and never the same query (literals
stripped) more than MAX_REPEATS times — the mark of a query per row.

The pages come from the URL conf, so a new page without a budget entry (or an explicit reason to
skip it) fails `test_every_page_has_a_budget`. Admin pages are visited as the system admin only
(everyone else is sent to the admin login). See docs/performance.md.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import date

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.scale_support import ROLE_LOGINS, SMALL_SCALE, scale_objects

YEAR = 2026
MAX_QUERIES = 25
MAX_REPEATS = 3
ROLES = tuple(ROLE_LOGINS)
# Pages anyone may open are also measured without a login.
ANONYMOUS_PAGES = {"login", "health", "commendations:public_comments", "password_change"}

# URL name -> the page's budget (the most any role may run). Set from measured counts plus a
# little headroom; lower one when a page gets cheaper, never raise one without a reason.
BUDGETS: dict[str, int] = {
    "admin:app_list": 6,
    "admin:auth_user_password_change": 8,
    "admin:index": 7,
    "admin:jsi18n": 4,
    "admin:login": 4,
    "admin:password_change": 6,
    "admin:password_change_done": 6,
    "commendations:award_detail": 10,
    "commendations:award_edit": 7,
    "commendations:certificate_layout_create": 8,
    "commendations:certificate_layout_edit": 10,
    "commendations:certificate_layouts": 10,
    "commendations:decision_create": 8,
    "commendations:decision_detail": 12,
    "commendations:decision_edit": 11,
    "commendations:decision_list": 10,
    "commendations:document_upload": 8,
    "commendations:dossier_comments": 9,
    "commendations:dossier_create": 9,
    "commendations:dossier_delete": 7,
    "commendations:dossier_detail": 16,
    "commendations:dossier_edit": 7,
    "commendations:dossier_list": 11,
    "commendations:dossier_return": 7,
    "commendations:dossier_transition": 12,
    "commendations:elections": 22,
    "commendations:eligibility": 8,
    "commendations:history_import": 8,
    "commendations:home": 8,
    "commendations:meeting_close": 20,
    "commendations:meeting_create": 8,
    "commendations:meeting_detail": 22,
    "commendations:meeting_edit": 9,
    "commendations:meeting_list": 10,
    "commendations:meeting_minutes": 12,
    "commendations:nominee_add": 10,
    "commendations:nominee_appraise": 7,
    "commendations:nominee_edit": 9,
    "commendations:nominee_remove": 8,
    "commendations:person_history": 13,
    "commendations:public_comment_create": 7,
    "commendations:public_comments": 7,
    "commendations:registration_add": 11,
    "commendations:registration_list": 13,
    "commendations:registrations": 8,
    "commendations:search": 14,
    "commendations:unit_history": 11,
    "emulation:campaign_create": 9,
    "emulation:campaign_detail": 14,
    "emulation:campaign_edit": 9,
    "emulation:campaign_register": 9,
    "emulation:campaign_results": 18,
    "emulation:campaign_transition": 6,
    "emulation:home": 12,
    "emulation:line_evidence": 8,
    "emulation:node_create": 8,
    "emulation:node_delete": 8,
    "emulation:node_edit": 8,
    "emulation:result_detail": 15,
    "emulation:scheme_clone": 8,
    "emulation:scheme_create": 8,
    "emulation:scheme_detail": 13,
    "emulation:scheme_edit": 8,
    "emulation:scheme_import": 8,
    "emulation:scheme_list": 10,
    "emulation:scheme_rules": 8,
    "emulation:scheme_validate": 11,
    "emulation:scheme_whatif": 8,
    "emulation:scorecard_appraise": 14,
    "emulation:scorecard_detail": 14,
    "emulation:scorecard_finalise": 14,
    "emulation:scorecard_import": 7,
    "emulation:scorecard_respond": 7,
    "emulation:scorecard_submit": 14,
    "health": 3,
    "login": 4,
    "office:adjustment_list": 8,
    "office:home": 12,
    "office:ministry_dashboard": 11,
    "office:petition_answer": 7,
    "office:petition_batch_create": 8,
    "office:petition_batch_detail": 12,
    "office:petition_batch_list": 10,
    "office:petition_create": 8,
    "office:petition_detail": 8,
    "office:plan_create": 8,
    "office:plan_detail": 12,
    "office:plan_import": 7,
    "office:plan_list": 11,
    "office:task_create": 11,
    "office:task_delete": 8,
    "office:task_detail": 14,
    "office:task_edit": 13,
    "office:task_list": 10,
    "password_change": 6,
    "password_change_done": 6,
    "portal:audit_log": 8,
    "portal:cluster_detail": 9,
    "portal:cluster_list": 7,
    "portal:dashboard": 13,
    "portal:notifications": 8,
    "portal:person_detail": 9,
    "portal:person_edit": 7,
    "portal:person_list": 8,
    "portal:unit_detail": 13,
    "portal:unit_list": 8,
    "reports:home": 10,
    "reports:job": 7,
    "reports:job_status": 7,
    "reports:request": 9,
}
# The admin's pages of every registered model (generated from admin.site, so a model registered
# later is covered without an entry): one budget per kind of page.
ADMIN_MODEL_BUDGETS = {'add': 8, 'change': 14, 'changelist': 12, 'history': 9}

# URLs never visited here, each with its reason: POST-only actions (GET answers 405 or redirects
# without rendering), file downloads, and Django's own admin helpers.
DOWNLOAD = "file download (no HTML page)"
POST_ONLY = "POST-only action (GET answers 405 or redirects)"
SKIPPED: dict[str, str] = {
    "office:task_output_file": DOWNLOAD,
    "office:progress_attachment": DOWNLOAD,
    "office:petition_answer_file": DOWNLOAD,
    "office:import_template": DOWNLOAD,
    "office:task_export": DOWNLOAD,
    "emulation:evidence_file": DOWNLOAD,
    "emulation:scheme_export_json": DOWNLOAD,
    "emulation:scheme_export_excel": DOWNLOAD,
    "emulation:scorecard_export": DOWNLOAD,
    "emulation:campaign_results_export": DOWNLOAD,
    "commendations:history_import_template": DOWNLOAD,
    "commendations:document_download": DOWNLOAD,
    "commendations:registration_export": DOWNLOAD,
    "commendations:certificate_layout_test": DOWNLOAD + ": a PDF test page",
    "reports:job_pdf": DOWNLOAD,
    "reports:job_excel": DOWNLOAD,
    "portal:notification_read": POST_ONLY,
    "portal:notifications_read_all": POST_ONLY,
    "office:task_progress": POST_ONLY,
    "emulation:evidence_delete": POST_ONLY,
    "commendations:ballot_record": POST_ONLY,
    "commendations:decision_issue": POST_ONLY,
    "commendations:decision_delete": POST_ONLY,
    "commendations:document_delete": POST_ONLY,
    "commendations:dossier_comments_open": POST_ONLY,
    "commendations:dossier_comments_close": POST_ONLY,
    "commendations:registration_delete": POST_ONLY,
    "reports:job_again": POST_ONLY,
    "commendations:dossier_refresh_eligibility": POST_ONLY,
    "emulation:line_appraise": POST_ONLY,
    "emulation:line_respond": POST_ONLY,
    "emulation:scorecard_save": POST_ONLY,
    "emulation:scorecard_send_appraisal": POST_ONLY,
    "emulation:node_move": POST_ONLY,
    "emulation:scheme_new_version": POST_ONLY,
    "office:adjustment_decide": POST_ONLY,
    "office:adjustment_request": POST_ONLY,
    "office:plan_transition": POST_ONLY,
    "office:task_complete": POST_ONLY,
    "logout": POST_ONLY,
    "set_language": POST_ONLY,
    "admin:logout": POST_ONLY,
    "admin:view_on_site": "redirect to the object's own page (visited here under its own name)",
    "admin:autocomplete": "JSON for admin select widgets, needs a model and field in the query",
}
# Django's delete confirmation lists every object the deletion would touch (one query per related
# object by design); deleting is refused anyway where the foreign keys protect the rows.
SKIPPED.update({
    f"admin:{model._meta.app_label}_{model._meta.model_name}_delete": "Django admin delete confirmation"
    for model in admin.site._registry
})

# How to fill each URL's arguments from the data set (`s` = tests.scale_support.scale_objects()).
ARGUMENTS = {
    "portal:person_detail": lambda s: {"pk": s.person.pk},
    "portal:person_edit": lambda s: {"pk": s.person.pk},
    "portal:unit_detail": lambda s: {"pk": s.unit.pk},
    "portal:cluster_detail": lambda s: {"pk": s.cluster.pk},
    "portal:notification_read": lambda s: {"pk": s.notification.pk},
    "office:plan_detail": lambda s: {"pk": s.plan.pk},
    "office:plan_transition": lambda s: {"pk": s.plan.pk, "action": "submit"},
    "office:task_create": lambda s: {"pk": s.plan.pk},
    "office:task_detail": lambda s: {"pk": s.task.pk},
    "office:task_edit": lambda s: {"pk": s.task.pk},
    "office:task_delete": lambda s: {"pk": s.task.pk},
    "office:task_progress": lambda s: {"pk": s.task.pk},
    "office:task_complete": lambda s: {"pk": s.task.pk},
    "office:adjustment_request": lambda s: {"pk": s.task.pk},
    "office:adjustment_decide": lambda s: {"pk": s.adjustment.pk},
    "office:plan_import": lambda s: {"pk": s.plan.pk},
    "office:petition_batch_detail": lambda s: {"pk": s.batch.pk},
    "office:petition_create": lambda s: {"pk": s.batch.pk},
    "office:petition_detail": lambda s: {"pk": s.petition.pk},
    "office:petition_answer": lambda s: {"pk": s.petition.pk},
    "emulation:campaign_detail": lambda s: {"pk": s.campaign.pk},
    "emulation:campaign_edit": lambda s: {"pk": s.campaign.pk},
    "emulation:campaign_transition": lambda s: {"pk": s.campaign.pk, "action": "appraisal"},
    "emulation:campaign_register": lambda s: {"pk": s.campaign.pk},
    "emulation:scheme_detail": lambda s: {"pk": s.scheme.pk},
    "emulation:scheme_edit": lambda s: {"pk": s.scheme.pk},
    "emulation:scheme_rules": lambda s: {"pk": s.scheme.pk},
    "emulation:scheme_validate": lambda s: {"pk": s.scheme.pk},
    "emulation:scheme_new_version": lambda s: {"pk": s.scheme.pk},
    "emulation:node_create": lambda s: {"pk": s.scheme.pk},
    "emulation:node_edit": lambda s: {"pk": s.node.pk},
    "emulation:node_move": lambda s: {"pk": s.node.pk},
    "emulation:node_delete": lambda s: {"pk": s.node.pk},
    "emulation:scorecard_detail": lambda s: {"pk": s.scorecard.pk},
    "emulation:scorecard_save": lambda s: {"pk": s.scorecard.pk},
    "emulation:scorecard_submit": lambda s: {"pk": s.scorecard.pk},
    "emulation:scorecard_import": lambda s: {"pk": s.scorecard.pk},
    "emulation:line_evidence": lambda s: {"pk": s.line.pk},
    "emulation:scorecard_appraise": lambda s: {"pk": s.scorecard.pk},
    "emulation:line_appraise": lambda s: {"pk": s.line.pk},
    "emulation:scorecard_send_appraisal": lambda s: {"pk": s.scorecard.pk},
    "emulation:scorecard_respond": lambda s: {"pk": s.scorecard.pk},
    "emulation:line_respond": lambda s: {"pk": s.line.pk},
    "emulation:scorecard_finalise": lambda s: {"pk": s.scorecard.pk},
    "emulation:campaign_results": lambda s: {"pk": s.published.pk},
    "emulation:result_detail": lambda s: {"pk": s.result_scorecard.pk},
    "commendations:award_detail": lambda s: {"pk": s.award.pk},
    "commendations:award_edit": lambda s: {"pk": s.award.pk},
    "commendations:person_history": lambda s: {"person_id": s.person.pk},
    "commendations:unit_history": lambda s: {"unit_id": s.unit.pk},
    "commendations:dossier_detail": lambda s: {"pk": s.dossier.pk},
    "commendations:dossier_edit": lambda s: {"pk": s.dossier.pk},
    "commendations:dossier_delete": lambda s: {"pk": s.dossier.pk},
    "commendations:dossier_transition": lambda s: {"pk": s.dossier.pk, "action": "submit"},
    "commendations:dossier_return": lambda s: {"pk": s.dossier.pk},
    "commendations:dossier_refresh_eligibility": lambda s: {"pk": s.dossier.pk},
    "commendations:nominee_add": lambda s: {"pk": s.dossier.pk},
    "commendations:nominee_edit": lambda s: {"pk": s.dossier.pk, "nominee_pk": s.nominee.pk},
    "commendations:nominee_remove": lambda s: {"pk": s.dossier.pk, "nominee_pk": s.nominee.pk},
    "commendations:nominee_appraise": lambda s: {"pk": s.dossier.pk, "nominee_pk": s.nominee.pk},
    "commendations:document_upload": lambda s: {"pk": s.dossier.pk},
    "commendations:meeting_detail": lambda s: {"pk": s.meeting.pk},
    "commendations:meeting_edit": lambda s: {"pk": s.meeting.pk},
    "commendations:ballot_record": lambda s: {"pk": s.meeting.pk, "nominee_pk": s.nominee.pk},
    "commendations:meeting_close": lambda s: {"pk": s.meeting.pk},
    "commendations:meeting_minutes": lambda s: {"pk": s.meeting.pk},
    "commendations:dossier_comments": lambda s: {"pk": s.dossier.pk},
    "commendations:decision_detail": lambda s: {"pk": s.decision.pk},
    "commendations:decision_edit": lambda s: {"pk": s.decision.pk},
    "commendations:public_comment_create": lambda s: {"pk": s.dossier.pk},
    "commendations:registration_list": lambda s: {"unit_id": s.unit.pk, "year": s.year},
    "commendations:registration_add": lambda s: {"unit_id": s.unit.pk, "year": s.year},
    "commendations:certificate_layout_edit": lambda s: {"pk": s.layout.pk},
    "reports:job": lambda s: {"pk": s.job.pk},
    "reports:job_status": lambda s: {"pk": s.job.pk},
    "reports:request": lambda s: {"kind": "office.work_plan_report"},
    "admin:app_list": lambda s: {"app_label": "portal"},
    "admin:auth_user_password_change": lambda s: {"id": s.users["staff"].pk},
}


def _url_names(resolver=None, namespace: str | None = None) -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            names += _url_names(pattern, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


ALL_URLS = sorted(set(_url_names()))
PAGES = [name for name in ALL_URLS if name not in SKIPPED]


def admin_model_page(name: str) -> tuple[type | None, str]:
    """(model, kind of page) for an admin page of a registered model, else (None, "")."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and name[len(prefix):] in ADMIN_MODEL_BUDGETS:
            return model, name[len(prefix):]
    return None, ""


def budget_of(name: str) -> int | None:
    model, kind = admin_model_page(name)
    return ADMIN_MODEL_BUDGETS[kind] if model else BUDGETS.get(name)


def _admin_arguments(name: str) -> dict:
    """Admin change and history pages address the first object of their model."""
    model, kind = admin_model_page(name)
    if kind in ("change", "history"):
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            pytest.skip(f"no {model._meta.label} row in the data set to open")
        return {"object_id": obj.pk}
    return {}


_LITERALS = [
    (re.compile(r"'(?:[^']|'')*'"), "?"),  # strings
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "?"),  # numbers
    (re.compile(r"\((?:\s*\?\s*,)*\s*\?\s*\)"), "(?)"),  # IN lists
    (re.compile(r'"s\w+_x\d+"'), "?"),  # savepoint names
]


def normalise(sql: str) -> str:
    for pattern, replacement in _LITERALS:
        sql = pattern.sub(replacement, sql)
    return sql


def repeated(queries) -> list[tuple[int, str]]:
    counts = Counter(normalise(q["sql"]) for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))
    return [(n, sql) for sql, n in counts.most_common() if n > MAX_REPEATS]


def _login_throttle_rows() -> None:
    """One row in each of django-axes' tables, so their admin change and history pages are opened
    too (without a row they could only be skipped)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    now = timezone.now()
    common = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "scale_staff_1"}
    AccessAttempt.objects.create(**common, http_accept="*/*", path_info="/accounts/login/", failures_since_start=1)
    AccessLog.objects.create(**common, http_accept="*/*", path_info="/accounts/login/", attempt_time=now)
    AccessFailureLog.objects.create(**common, http_accept="*/*", path_info="/accounts/login/", attempt_time=now)


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small sector-shaped data set, built once for the module inside a transaction that is
    rolled back at the end (each test still runs in its own savepoint)."""
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from portal.models import PublicHoliday
    from portal.scale import build_scale

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("scale_media"))):  # its one stored paper
                build_scale(scale=SMALL_SCALE, year=YEAR, password="x")
            Group.objects.create(name="Văn thư")
            PublicHoliday.objects.create(date=date(YEAR, 4, 30), name="Ngày Chiến thắng")  # its admin pages
            _login_throttle_rows()
            ContentType.objects.get_for_models(*apps.get_models())
            yield scale_objects(YEAR)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def measure(client: Client, url: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, captured.captured_queries


def test_every_page_has_a_budget():
    missing = [name for name in PAGES if budget_of(name) is None]
    stale = sorted((set(BUDGETS) | set(SKIPPED)) - set(ALL_URLS))
    over = {name: budget for name, budget in {**BUDGETS, **ADMIN_MODEL_BUDGETS}.items() if budget > MAX_QUERIES}
    assert (missing, stale, over) == ([], [], {})


@pytest.mark.parametrize("name", PAGES)
def test_page_within_budget(name, scale, db, settings):
    settings.DEBUG = False
    arguments = ARGUMENTS.get(name, lambda s: {})(scale)
    if name.startswith("admin:") and not arguments:
        arguments = _admin_arguments(name)
    url = reverse(name, kwargs=arguments)
    roles = ("admin",) if name.startswith("admin:") else ROLES
    if name in ANONYMOUS_PAGES:
        roles = (*roles, "anonymous")
    report = {}
    for role in roles:
        client = Client()
        if role != "anonymous":
            client.force_login(scale.users[role])
        response, queries = measure(client, url)
        assert response.status_code < 500, (role, url)
        report[role] = (response.status_code, len(queries), repeated(queries))
    assert {status for status, _, _ in report.values()} != {405}, f"{name} is POST-only: list it in SKIPPED"
    budget = budget_of(name) or MAX_QUERIES
    if os.environ.get("QUERY_BUDGET_REPORT"):  # measured counts, to set or lower the budgets
        with open(os.environ["QUERY_BUDGET_REPORT"], "a") as out:
            out.write(json.dumps({"name": name, "report": report}) + "\n")
    assert {role: count for role, (_, count, _) in report.items() if count > budget} == {}, (url, report)
    assert {role: rep for role, (_, _, rep) in report.items() if rep} == {}, url
