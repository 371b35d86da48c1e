"""Downloads of the work-plan app's attachments, only for users who can see their task or petition."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from office import selectors
from office.models import ProgressReport
from office.selectors_petitions import petition_detail_queryset
from portal.files import file_response


@login_required
def task_output_file(request, pk):
    task = get_object_or_404(selectors.tasks_visible_to(request.user), pk=pk)
    return file_response(task.output_file)


@login_required
def progress_attachment(request, pk):
    report = get_object_or_404(ProgressReport.objects.filter(task__in=selectors.tasks_visible_to(request.user)), pk=pk)
    return file_response(report.attachment)


@login_required
def petition_answer_file(request, pk):
    petition = get_object_or_404(petition_detail_queryset(user=request.user), pk=pk)
    return file_response(petition.answer_file)
