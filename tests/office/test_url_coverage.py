"""Every URL of the work-plan area has its permissions tested; a new page without them fails here."""

from django.urls import get_resolver

from tests.office.test_petitions import MATRIX as PETITION_MATRIX
from tests.office.test_views_plans_tasks import GET_MATRIX

# URLs whose role × unit answers are tested elsewhere, by name of the test.
TESTED_ELSEWHERE = {
    "office:home": "test_dashboards.test_unit_dashboard_redirects_ministry_wide_users_to_the_ministry_dashboard",
    "office:ministry_dashboard": "test_dashboards.test_ministry_dashboard_permission",
    "office:plan_import": "test_excel.test_import_page_permissions",
    "office:import_template": "test_excel.test_template_needs_login",
    "office:task_export": "test_excel.test_export_is_scoped_to_the_user",
    "office:plan_transition": "test_views_plans_tasks.test_office_post_matrix",
    "office:task_progress": "test_views_plans_tasks.test_office_post_matrix",
    "office:task_complete": "test_views_plans_tasks.test_office_post_matrix",
    "office:adjustment_request": "test_views_plans_tasks.test_office_post_matrix",
    "office:adjustment_decide": "test_views_plans_tasks.test_office_post_matrix",
    "office:task_output_file": "test_files.test_attachment_downloads_follow_the_scope",
    "office:progress_attachment": "test_files.test_attachment_downloads_follow_the_scope",
    "office:petition_answer_file": "test_files.test_attachment_downloads_follow_the_scope",
}


def test_every_office_url_has_permission_tests():
    resolver = get_resolver().namespace_dict["office"][1]
    names = {f"office:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    covered = {name for name, _ in GET_MATRIX} | {name for name, _ in PETITION_MATRIX} | set(TESTED_ELSEWHERE)
    assert names - covered == set()
