"""Attachments are downloaded through a permission check: visible task or petition, else 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from office.models import ProgressReport
from tests.factories.office import PetitionBatchFactory, PetitionFactory

PDF = b"%PDF-1.4\n%demo\n"
CASES = dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404)


@pytest.fixture
def files(task, users, org):
    task.output_file.save("bao-cao.pdf", ContentFile(PDF))
    report = ProgressReport.objects.create(task=task, author=users.staff, note="n", percent=10)
    report.attachment.save("tien-do.pdf", ContentFile(PDF))
    petition = PetitionFactory(batch=PetitionBatchFactory(), lead_unit=org.home)
    petition.answer_file.save("tra-loi.pdf", ContentFile(PDF))
    return {
        "office:task_output_file": task.pk,
        "office:progress_attachment": report.pk,
        "office:petition_answer_file": petition.pk,
    }


@pytest.mark.parametrize("url_name", ["office:task_output_file", "office:progress_attachment", "office:petition_answer_file"])
@pytest.mark.parametrize("role", list(CASES))
def test_attachment_downloads_follow_the_scope(client, users, files, url_name, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.get(reverse(url_name, args=[files[url_name]]))
    assert response.status_code == CASES[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")


def test_missing_file_is_a_404_not_a_500(client, users, task):
    client.force_login(users.staff)
    assert client.get(reverse("office:task_output_file", args=[task.pk])).status_code == 404
