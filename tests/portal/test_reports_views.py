"""The report pages: ask for a document, watch it, download it, see the history; who sees what."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.documents.services import report_job_run
from portal.enums import ReportJobState
from portal.models import ReportJob
from tests.portal.reports_support import pdf_text, test_document_kinds  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("test_document_kinds")

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
OWN_ONLY = dict(anonymous=302, no_role=404, staff=200, leader=404, officer=404, council=404, admin=200, outsider=404)
OUTSIDERS_ONLY = dict(anonymous=302, no_role=404, staff=404, leader=404, officer=404, council=404, admin=200, outsider=200)
ANY_ROLE = dict(anonymous=302, no_role=403, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200)
# (url name, object) -> expected status per role; "own_job" is staff's, "other_job" the outsider's.
MATRIX = {
    ("reports:home", None): ANY_ROLE,
    ("reports:request", "kind"): ANY_ROLE,
    ("reports:job", "own_job"): OWN_ONLY,
    ("reports:job_status", "own_job"): OWN_ONLY,
    ("reports:job_pdf", "own_job"): OWN_ONLY,
    ("reports:job_excel", "own_job"): OWN_ONLY,
    ("reports:job", "other_job"): OUTSIDERS_ONLY,
    ("reports:job_pdf", "other_job"): OUTSIDERS_ONLY,
}


def done_job(user, unit, **fields) -> ReportJob:
    job = ReportJob.objects.create(kind="tests.units", params={"unit": unit.pk}, requester=user, title="Danh sách", **fields)
    assert report_job_run(job_id=job.pk) == ReportJobState.DONE
    job.refresh_from_db()
    return job


def stored_job(user, unit) -> ReportJob:
    """A finished job with stand-in files (the matrix checks access, not rendering)."""
    job = ReportJob.objects.create(kind="tests.units", params={"unit": unit.pk}, requester=user, state=ReportJobState.DONE,
                                   progress=100)
    job.file.save("a.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
    job.excel_file.save("a.xlsx", ContentFile(b"PK stand-in"), save=False)
    job.save()
    return job


@pytest.fixture
def jobs(org, users):
    return {"own_job": stored_job(users.staff, org.home), "other_job": stored_job(users.outsider, org.other), "kind": None}


def case_ids():
    for (name, kind), expected in MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "obj", "role", "expected"), list(case_ids()))
def test_permission_matrix(client, users, jobs, url_name, obj, role, expected):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    if obj == "kind":
        url = reverse(url_name, args=["tests.units"])
    elif obj:
        url = reverse(url_name, args=[jobs[obj].pk])
    else:
        url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def test_matrix_covers_every_report_url():
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["reports"][1]
    names = {f"reports:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert names - {name for name, _obj in MATRIX} == {"reports:job_again"}  # POST only, tested below


@pytest.mark.django_db(transaction=True)
def test_request_creates_a_job_and_the_job_page_offers_the_download(client, org, users, people):
    client.force_login(users.staff)
    form_page = client.get(reverse("reports:request", args=["tests.units"]))
    assert list(form_page.context["form"].fields["unit"].queryset) == [org.home]
    response = client.post(reverse("reports:request", args=["tests.units"]), {"unit": org.home.pk, "number": "9/BC"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    assert (job.requester, job.params, job.state) == (users.staff, {"unit": org.home.pk, "number": "9/BC"}, "done")
    page = client.get(response["Location"])
    assert page.context["job"] == job
    body = page.content.decode()
    assert reverse("reports:job_pdf", args=[job.pk]) in body and 'aria-valuenow="100"' in body
    assert 'hx-trigger="every 1s"' not in body  # a finished job stops polling
    download = client.get(reverse("reports:job_pdf", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert 'attachment; filename="don-vi-STP-HN.pdf"' in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF") and "Văn phòng Sở" in pdf_text(pdf)
    excel = client.get(reverse("reports:job_excel", args=[job.pk]))
    assert excel["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.django_db
def test_a_pending_job_page_keeps_polling_and_a_failed_one_shows_the_error(client, users):
    client.force_login(users.staff)
    pending = ReportJob.objects.create(kind="tests.units", requester=users.staff, state=ReportJobState.RUNNING, progress=40)
    body = client.get(reverse("reports:job_status", args=[pending.pk])).content.decode()
    assert f'hx-get="{reverse("reports:job_status", args=[pending.pk])}"' in body and 'aria-valuenow="40"' in body
    assert "downloadPdf" not in body
    failed = ReportJob.objects.create(kind="tests.units", requester=users.staff, state=ReportJobState.FAILED,
                                      error="Chưa có kế hoạch năm 2025.")
    body = client.get(reverse("reports:job", args=[failed.pk])).content.decode()
    assert 'id="jobError"' in body and "Chưa có kế hoạch năm 2025." in body
    assert "hx-trigger" not in body


@pytest.mark.django_db
def test_a_pending_job_has_nothing_to_download(client, org, users):
    client.force_login(users.staff)
    pending = ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.staff)
    assert client.get(reverse("reports:job_pdf", args=[pending.pk])).status_code == 404


@pytest.mark.django_db
def test_invalid_parameters_keep_the_input_and_create_nothing(client, org, users):
    client.force_login(users.staff)
    response = client.post(reverse("reports:request", args=["tests.units"]), {"unit": org.other.pk, "number": "x" * 40})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"unit", "number"}
    assert response.context["form"]["number"].value() == "x" * 40
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_unknown_kind_is_404(client, users):
    client.force_login(users.staff)
    assert client.get(reverse("reports:request", args=["tests.nothing"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_request_again_makes_a_new_job_and_keeps_the_old_one(client, org, users):
    first = done_job(users.staff, org.home)
    client.force_login(users.staff)
    response = client.post(reverse("reports:job_again", args=[first.pk]))
    second = ReportJob.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("reports:job", args=[second.pk])
    assert (second.kind, second.params, second.state) == (first.kind, first.params, "done")
    listing = client.get(reverse("reports:request", args=["tests.units"]))
    assert [job.pk for job in listing.context["jobs"]] == [second.pk, first.pk]


@pytest.mark.django_db
def test_others_cannot_request_again_or_download_someone_elses_job(client, org, users):
    job = done_job(users.staff, org.home)
    client.force_login(users.leader)
    assert client.post(reverse("reports:job_again", args=[job.pk])).status_code == 404
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_requester_who_lost_the_permission_cannot_download(client, org, users):
    from portal.models import RoleGrant

    job = done_job(users.staff, org.home)
    RoleGrant.objects.filter(user=users.staff).delete()
    client.force_login(users.staff)
    assert client.get(reverse("reports:job_pdf", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_lists_show_own_jobs_and_admins_see_all(client, org, users):
    own = done_job(users.staff, org.home)
    done_job(users.outsider, org.other)
    client.force_login(users.staff)
    assert [job.pk for job in client.get(reverse("reports:home")).context["jobs"]] == [own.pk]
    client.force_login(users.admin)
    assert client.get(reverse("reports:home")).context["jobs"].paginator.count == 2


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_home_list_query_count(client, org, users, rows, django_assert_num_queries):
    for _ in range(rows):
        ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.staff)
    client.force_login(users.admin)
    # session, user, scope, unread count, page count, page rows (with requester)
    with django_assert_num_queries(6):
        response = client.get(reverse("reports:home"))
    assert len(response.context["jobs"].object_list) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_request_page_query_count(client, org, users, rows, django_assert_num_queries):
    for _ in range(rows):
        ReportJob.objects.create(kind="tests.units", params={"unit": org.home.pk}, requester=users.staff)
    client.force_login(users.staff)
    # session, user, scope, unread count, the form's units, page count, page rows (with requester)
    with django_assert_num_queries(7):
        response = client.get(reverse("reports:request", args=["tests.units"]))
    assert len(response.context["jobs"].object_list) == rows
