"""Double-submitted forms (two clicks, or "back" and send again) create one object (issue 7, point 6).

Each create form of the portal is opened on the demo data (seeded once for the module, see
tests/test_hostile_input.py), filled in, and sent twice with the same values: the first creates the
object, the second creates nothing more, says the form was already sent and leads to what the first
created (portal.idempotency.SubmitOnceMixin). A form sent again after a rejection still works.
"""

import pytest
from django.utils.translation import gettext

from portal.models import FormSubmission
from tests.test_hostile_input import (  # noqa: F401 - fixtures: the demo, once per module
    _media_in_a_temporary_folder,
    baseline,
    demo,
    demo_data,
    demo_media,
    find_page,
    table_counts,
)

pytestmark = pytest.mark.usefixtures("demo")

# What each form needs on top of the values the page itself would send; "first" = its first real
# option (a select, or the first checkbox of a group).
FILL = {
    "dossier_create": {"title": "Đề nghị khen thưởng năm 2025 (gửi hai lần)"},
    "registration_add": {"award": "first", "people": "first"},
    "ballot_record": {"in_favour": "1", "against": "0", "abstain": "0"},
    "decision_create": {"number": "999/QĐ-BTP", "signed_on": "15/12/2026", "signer": "Nguyễn Văn Ký",
                        "signer_title": "Bộ trưởng", "nominees": "first"},
    "meeting_create": {"title": "Phiên họp Hội đồng (gửi hai lần)"},
    "task_create": {"code": "H13.1", "content": "Nhiệm vụ gửi hai lần", "deadline": "31/12/2026"},
    "report:office.work_plan_report": {},
}
# The table each form adds a row to.
CREATES = {
    "dossier_create": "commendations.Dossier",
    "registration_add": "commendations.TitleRegistration",
    "ballot_record": "commendations.Ballot",
    "decision_create": "commendations.Decision",
    "meeting_create": "commendations.CouncilMeeting",
    "task_create": "office.Task",
    "report:office.work_plan_report": "portal.ReportJob",
}


def filled(form: dict, fill: dict) -> dict:
    data = baseline(form)
    for field in form["fields"]:
        name = field["name"]
        short = name.split("-", 1)[-1]  # prefixed forms ("n11-in_favour")
        wanted = fill.get(name, fill.get(short))
        if wanted is None:
            continue
        if wanted != "first":
            data[name] = [wanted]
        elif field["kind"] == "select":
            data[name] = [next(o for o in field["options"] if o)]
        elif field["kind"] in {"checkbox", "radio"} and not data.get(name):
            data[name] = [field["value"]]
    return {k: (v[0] if len(v) == 1 else v) for k, v in data.items()}


def changed(before: dict, after: dict) -> dict:
    return {label: after[label] - before[label] for label in after if after[label] != before[label]}


@pytest.mark.parametrize("target", list(FILL))
def test_the_same_form_sent_twice_creates_one_object(target):
    client, url, form = find_page(target)
    data = filled(form, FILL[target])
    model = CREATES[target]
    before = table_counts()

    first = client.post(url, data)
    assert first.status_code == 302, (target, first.status_code, data)
    once = table_counts()
    assert changed(before, once).get(model) == 1, changed(before, once)

    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]  # to what the first one created
    assert changed(once, table_counts()) == {}  # nothing more: no object, no audit entry
    shown = [str(m) for m in client.get(second["Location"]).context["messages"]]
    assert gettext("This form was already sent; it was not saved a second time.") in shown


def test_a_rejected_form_can_be_sent_again():
    client, url, form = find_page("task_create")
    data = filled(form, {**FILL["task_create"], "deadline": "31/02/2026"})
    before = table_counts()
    for _attempt in range(2):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "deadline" in response.context["form"].errors
    assert changed(before, table_counts()) == {}
    assert not FormSubmission.objects.exists()  # a rejection keeps no fingerprint

    data["deadline"] = "31/12/2026"
    assert client.post(url, data).status_code == 302


def test_a_different_form_is_not_taken_for_a_resend():
    client, url, form = find_page("meeting_create")
    before = table_counts()
    for title in ("Phiên họp thứ nhất", "Phiên họp thứ hai"):
        assert client.post(url, filled(form, {"title": title})).status_code == 302
    assert changed(before, table_counts()).get("commendations.CouncilMeeting") == 2
