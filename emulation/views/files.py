"""Downloads of evidence files, only for users who can see the scorecard they belong to."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from emulation.models import Evidence
from emulation.selectors import scorecards_visible_to
from portal.files import file_response


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.filter(line__scorecard__in=scorecards_visible_to(request.user)), pk=pk)
    return file_response(evidence.file)
