"""Every URL of the URL conf × every role × own/other unit: the designed answer, generated.

The list of URLs comes from the resolver, so a page added to any urls.py without a row in
``PAGES`` fails ``test_every_url_has_an_expected_answer``. The per-app matrices
(tests/<app>/test_*permission*.py, GET_MATRIX tables…) test each page's detail across object
states; this one checks, for all pages at once:

- the answer of each role on an object of ``home`` (or on a page without an object): 302 to the
  login page for anonymous, 403 for a role that may not use the page, 200/302 for the right role;
- that object ids are not guessable into other units' data: for every URL whose object belongs
  to a unit, the same URL with the id of ``other``'s object answers 404 to home's staff and leader
  (and the ``outsider`` — staff of ``other`` — gets 404 on home's object, in the first table).

POST-only actions are posted with an empty body: a refused role is refused before the form is
read, and the right role gets the form's error page (200) or the redirect that reports the error.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = ("anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider")
# home's own users, who must never reach another unit's object by changing an id in the URL.
HOME_UNIT_ROLES = ("no_role", "staff", "leader")
# Pages that send anonymous visitors elsewhere than the login page, by design.
OPEN_REDIRECTS = {"logout", "set_language"}


@dataclass(frozen=True)
class Page:
    """The expected answers of one URL name: ``answers`` lists one status per role of ROLES, on an
    object of ``home`` built by ``obj`` (None: a URL without an object). ``scoped`` says the object
    belongs to a unit (then the cross-unit check runs on ``other``'s object)."""

    obj: str | None
    answers: str
    method: str = "get"
    scoped: bool = False

    def expected(self) -> dict[str, int]:
        codes = [int(code) for code in self.answers.split()]
        assert len(codes) == len(ROLES), self.answers
        return dict(zip(ROLES, codes, strict=True))


def scoped(obj, answers, method="get"):
    return Page(obj, answers, method, scoped=True)


def post(obj, answers, *, unit=False):
    return Page(obj, answers, "post", scoped=unit)


#                   anonymous no_role staff leader officer council admin outsider
PAGES: dict[str, Page] = {
    # portal (detail: tests/portal/test_permission_matrix.py)
    "portal:dashboard": Page(None, "302 200 200 200 200 200 200 200"),
    "portal:person_list": Page(None, "302 200 200 200 200 200 200 200"),
    "portal:person_detail": scoped("person", "302 404 200 200 200 200 200 404"),
    "portal:person_edit": scoped("person", "302 404 403 200 403 403 200 404"),
    "portal:unit_list": Page(None, "302 200 200 200 200 200 200 200"),
    "portal:unit_detail": scoped("unit", "302 404 200 200 200 200 200 404"),
    "portal:cluster_list": Page(None, "302 403 200 200 200 200 200 200"),
    "portal:cluster_detail": Page("cluster", "302 403 200 200 200 200 200 200"),
    "portal:notifications": Page(None, "302 200 200 200 200 200 200 200"),
    "portal:notifications_read_all": post(None, "302 302 302 302 302 302 302 302"),
    "portal:notification_read": post("notification", "302 404 302 404 404 404 404 404", unit=True),
    "portal:audit_log": Page(None, "302 403 403 403 403 403 200 403"),
    # office (detail: tests/office/test_views_plans_tasks.py, test_petitions.py, test_files.py…)
    "office:home": Page(None, "302 200 200 200 302 302 302 200"),
    "office:ministry_dashboard": Page(None, "302 403 403 403 200 200 200 403"),
    "office:plan_list": Page(None, "302 200 200 200 200 200 200 200"),
    "office:plan_create": Page(None, "302 403 200 200 403 403 200 200"),
    "office:plan_detail": scoped("plan", "302 404 200 200 200 200 200 404"),
    "office:plan_transition": post("plan_submit", "302 404 302 302 403 403 302 404", unit=True),
    "office:task_create": scoped("plan", "302 404 200 200 403 403 200 404"),
    "office:task_list": Page(None, "302 200 200 200 200 200 200 200"),
    "office:task_detail": scoped("task", "302 404 200 200 200 200 200 404"),
    "office:task_edit": scoped("task", "302 404 200 200 403 403 200 404"),
    "office:task_delete": scoped("task", "302 404 403 403 403 403 403 404"),
    "office:task_progress": post("task", "302 404 400 400 403 403 400 404", unit=True),
    "office:task_complete": post("task", "302 404 400 400 403 403 400 404", unit=True),
    "office:adjustment_request": post("task", "302 404 400 400 403 403 400 404", unit=True),
    "office:adjustment_list": Page(None, "302 200 200 200 200 200 200 200"),
    "office:adjustment_decide": post("adjustment", "302 404 403 302 403 403 302 404", unit=True),
    "office:task_output_file": scoped("task", "302 404 200 200 200 200 200 404"),
    "office:progress_attachment": scoped("progress", "302 404 200 200 200 200 200 404"),
    "office:petition_answer_file": scoped("petition", "302 404 200 200 200 200 200 404"),
    "office:plan_import": scoped("plan", "302 404 200 200 403 403 200 404"),
    "office:import_template": Page(None, "302 200 200 200 200 200 200 200"),
    "office:task_export": Page(None, "302 200 200 200 200 200 200 200"),
    "office:petition_batch_list": Page(None, "302 200 200 200 200 200 200 200"),
    "office:petition_batch_create": Page(None, "302 403 403 403 403 403 200 403"),
    "office:petition_batch_detail": Page("petition_batch", "302 404 200 200 200 200 200 200"),
    "office:petition_create": Page("petition_batch", "302 404 403 403 403 403 200 403"),
    "office:petition_detail": scoped("petition", "302 404 200 200 200 200 200 404"),
    "office:petition_answer": scoped("petition", "302 404 200 200 403 403 200 404"),
    # emulation (detail: tests/emulation/test_campaigns.py, test_scorecards.py, test_appraisal.py…)
    "emulation:home": Page(None, "302 200 200 200 200 200 200 200"),
    "emulation:campaign_create": Page(None, "302 403 403 403 200 403 200 403"),
    "emulation:campaign_detail": Page("campaign", "302 404 200 200 200 200 200 200"),
    "emulation:campaign_edit": Page("campaign", "302 404 403 403 403 403 403 403"),
    "emulation:campaign_transition": post("campaign_open", "302 404 403 403 302 403 302 403"),
    "emulation:campaign_register": post("campaign", "302 404 403 403 403 403 403 403"),
    "emulation:evidence_file": scoped("evidence", "302 404 200 200 200 200 200 404"),
    "emulation:scheme_list": Page(None, "302 403 403 403 200 403 200 403"),
    "emulation:scheme_create": Page(None, "302 403 403 403 200 403 200 403"),
    "emulation:scheme_import": Page(None, "302 403 403 403 200 403 200 403"),
    "emulation:scheme_clone": Page(None, "302 403 403 403 200 403 200 403"),
    "emulation:scheme_detail": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:scheme_edit": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:scheme_rules": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:scheme_validate": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:scheme_new_version": post("scheme", "302 403 403 403 302 403 302 403"),
    "emulation:scheme_export_json": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:scheme_export_excel": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:node_create": Page("scheme", "302 403 403 403 200 403 200 403"),
    "emulation:node_edit": Page("node", "302 403 403 403 200 403 200 403"),
    "emulation:node_move": post("node", "302 403 403 403 302 403 302 403"),
    "emulation:node_delete": Page("node", "302 403 403 403 200 403 200 403"),
    "emulation:scorecard_detail": scoped("scorecard", "302 404 200 200 200 200 200 404"),
    "emulation:scorecard_save": post("scorecard", "302 404 302 302 403 403 403 404", unit=True),
    "emulation:scorecard_submit": scoped("scorecard", "302 404 403 200 403 403 403 404"),
    "emulation:scorecard_export": scoped("scorecard", "302 404 200 200 200 200 200 404"),
    "emulation:scorecard_import": scoped("scorecard", "302 404 200 200 403 403 403 404"),
    "emulation:line_evidence": scoped("line", "302 404 200 200 200 200 200 404"),
    "emulation:evidence_delete": scoped("evidence", "302 404 200 200 403 403 403 404"),
    "emulation:scorecard_appraise": scoped("scorecard", "302 404 403 403 403 403 403 404"),
    "emulation:line_appraise": post("line", "302 404 403 403 403 403 403 404", unit=True),
    "emulation:scorecard_send_appraisal": post("scorecard", "302 404 403 403 403 403 403 404", unit=True),
    "emulation:scorecard_respond": scoped("scorecard", "302 404 403 403 403 403 403 404"),
    "emulation:line_respond": post("line", "302 404 403 403 403 403 403 404", unit=True),
    "emulation:scorecard_finalise": scoped("scorecard", "302 404 403 403 403 403 403 404"),
    "emulation:campaign_results": Page("campaign", "302 404 403 403 200 200 200 403"),
    "emulation:campaign_results_export": Page("campaign", "302 404 403 403 200 200 200 403"),
    "emulation:result_detail": scoped("scorecard", "302 404 403 403 200 200 200 404"),
    "emulation:scheme_whatif": Page(None, "302 403 403 403 200 403 200 403"),
    # commendations (detail: tests/commendations/test_views.py, test_dossier_permissions.py,
    # test_council_views.py, test_registrations.py, test_certificates.py…)
    "commendations:home": Page(None, "302 200 200 200 200 200 200 200"),
    "commendations:award_detail": Page("award", "302 200 200 200 200 200 200 200"),
    "commendations:award_edit": Page("award", "302 403 403 403 200 403 200 403"),
    "commendations:person_history": scoped("person_id", "302 404 200 200 200 200 200 404"),
    "commendations:unit_history": scoped("unit_id", "302 404 200 200 200 200 200 404"),
    "commendations:eligibility": Page(None, "302 200 200 200 200 200 200 200"),
    "commendations:history_import": Page(None, "302 403 403 403 200 403 200 403"),
    "commendations:history_import_template": Page("table", "302 403 403 403 200 403 200 403"),
    "commendations:dossier_list": Page(None, "302 200 200 200 200 200 200 200"),
    "commendations:dossier_create": Page(None, "302 403 200 200 403 403 403 200"),
    "commendations:dossier_detail": scoped("dossier", "302 404 200 200 404 404 404 404"),
    "commendations:dossier_edit": scoped("dossier", "302 404 200 200 404 404 404 404"),
    "commendations:dossier_delete": scoped("dossier", "302 404 200 200 404 404 404 404"),
    "commendations:dossier_transition": post("dossier_submit", "302 404 400 400 404 404 404 404", unit=True),
    "commendations:dossier_return": scoped("dossier", "302 404 403 403 404 404 404 404"),
    "commendations:dossier_refresh_eligibility": post("dossier", "302 404 403 403 404 404 404 404", unit=True),
    "commendations:nominee_add": scoped("dossier", "302 404 200 200 404 404 404 404"),
    "commendations:nominee_edit": scoped("nominee", "302 404 200 200 404 404 404 404"),
    "commendations:nominee_remove": scoped("nominee", "302 404 200 200 404 404 404 404"),
    "commendations:nominee_appraise": scoped("nominee", "302 404 403 403 404 404 404 404"),
    "commendations:document_upload": scoped("dossier", "302 404 200 200 404 404 404 404"),
    "commendations:document_download": scoped("document", "302 404 200 200 404 404 404 404"),
    "commendations:document_delete": scoped("document", "302 404 200 200 404 404 404 404"),
    "commendations:meeting_list": Page(None, "302 403 403 403 200 200 200 403"),
    "commendations:meeting_create": Page(None, "302 403 403 403 200 403 200 403"),
    "commendations:meeting_detail": Page("meeting", "302 403 403 403 200 200 200 403"),
    "commendations:meeting_edit": Page("meeting", "302 403 403 403 200 403 200 403"),
    "commendations:ballot_record": post("ballot", "302 403 403 403 404 403 404 403"),
    "commendations:meeting_close": Page("meeting", "302 403 403 403 200 403 200 403"),
    "commendations:meeting_minutes": Page("meeting", "302 403 403 403 200 200 200 403"),
    "commendations:dossier_comments": scoped("dossier", "302 404 403 403 404 404 404 404"),
    "commendations:dossier_comments_open": post("dossier", "302 404 403 403 404 404 404 404", unit=True),
    "commendations:dossier_comments_close": post("dossier", "302 404 403 403 404 404 404 404", unit=True),
    "commendations:decision_list": Page(None, "302 403 403 403 200 200 200 403"),
    "commendations:decision_create": Page(None, "302 403 403 403 200 403 200 403"),
    "commendations:decision_detail": Page("decision", "302 403 403 403 200 200 200 403"),
    "commendations:decision_edit": Page("decision", "302 403 403 403 200 403 200 403"),
    "commendations:decision_issue": Page("decision", "302 403 403 403 200 403 200 403"),
    "commendations:decision_delete": Page("decision", "302 403 403 403 200 403 200 403"),
    "commendations:public_comments": Page(None, "200 200 200 200 200 200 200 200"),
    "commendations:public_comment_create": Page("open_nominee", "200 200 200 200 200 200 200 200"),
    "commendations:registrations": Page(None, "302 200 302 302 200 200 200 302"),
    "commendations:registration_list": scoped("unit_year", "302 404 200 200 200 200 200 404"),
    "commendations:registration_add": scoped("unit_year", "302 404 200 200 403 403 403 404"),
    "commendations:registration_export": scoped("unit_year", "302 404 200 200 200 200 200 404"),
    "commendations:registration_delete": scoped("registration", "302 404 200 200 403 403 403 404"),
    "commendations:search": Page(None, "302 200 200 200 200 200 200 200"),
    "commendations:elections": Page(None, "302 403 403 403 200 200 200 403"),
    "commendations:certificate_layouts": Page(None, "302 403 403 403 200 403 200 403"),
    "commendations:certificate_layout_create": Page(None, "302 403 403 403 200 403 200 403"),
    "commendations:certificate_layout_edit": Page("layout", "302 403 403 403 200 403 200 403"),
    "commendations:certificate_layout_test": Page("layout", "302 403 403 403 200 403 200 403"),
    # printed documents (detail: tests/portal/test_reports_views.py); a job belongs to its requester
    "reports:home": Page(None, "302 403 200 200 200 200 200 200"),
    "reports:job": scoped("job", "302 404 200 404 404 404 200 404"),
    "reports:job_status": scoped("job", "302 404 200 404 404 404 200 404"),
    "reports:job_pdf": scoped("job", "302 404 200 404 404 404 200 404"),
    "reports:job_excel": scoped("job", "302 404 200 404 404 404 200 404"),
    "reports:job_again": post("job", "302 404 302 404 404 404 302 404", unit=True),
    "reports:request": Page("report_kind", "302 403 200 200 200 200 200 200"),
    # accounts, language, probes
    "login": Page(None, "200 302 302 302 302 302 302 302"),
    "logout": post(None, "302 302 302 302 302 302 302 302"),
    "password_change": Page(None, "302 200 200 200 200 200 200 200"),
    "password_change_done": Page(None, "302 200 200 200 200 200 200 200"),
    "set_language": post(None, "302 302 302 302 302 302 302 302"),
    "health": Page(None, "200 200 200 200 200 200 200 200"),
}


def url_names() -> set[str]:
    """Every named URL of the URL conf (namespaced as reverse() wants it), the admin aside."""
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and not namespace.startswith("admin"):
                assert pattern.name, f"URL {pattern.pattern} has no name, so no test can reach it"
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


# --- the objects the URLs point at, built on demand for one unit --------------------------------


class World:
    """Builds (once) the object a URL points at, for `home` or for `other`, and returns the URL's
    arguments. Unit-scoped objects are built per unit; ministry-wide ones once."""

    def __init__(self, org, users):
        self.org, self.users = org, users
        self._cache: dict = {}

    def unit_user(self, unit):
        return self.users.staff if unit == self.org.home else self.users.outsider

    def args(self, kind: str, unit) -> dict:
        key = (kind, unit.pk)
        if key not in self._cache:
            self._cache[key] = getattr(self, f"build_{kind}")(unit)
        return self._cache[key]

    def obj(self, kind, unit):
        return self.args(kind, unit)["_obj"]

    # portal
    def build_person(self, unit):
        from tests.factories import PersonFactory

        person = PersonFactory(unit=unit, full_name="Trịnh Văn Nhà")
        return {"pk": person.pk, "_obj": person}

    def build_unit(self, unit):
        return {"pk": unit.pk, "_obj": unit}

    def build_cluster(self, unit):
        from tests.factories import ClusterMembershipFactory

        return {"pk": ClusterMembershipFactory(unit=self.org.home).cluster.pk}

    def build_notification(self, unit):
        from portal.models import Notification

        note = Notification.objects.create(recipient=self.unit_user(unit), kind="office.task.assigned", params={})
        return {"pk": note.pk}

    # office
    def build_plan(self, unit):
        from tests.factories.office import IssuedPlanFactory

        plan = IssuedPlanFactory(unit=unit, year=timezone.localdate().year)
        return {"pk": plan.pk, "_obj": plan}

    def build_plan_submit(self, unit):
        from tests.factories.office import WorkPlanFactory

        plan = WorkPlanFactory(unit=unit, year=timezone.localdate().year + 1)
        return {"pk": plan.pk, "action": "submit"}

    def build_task(self, unit):
        from tests.factories.office import TaskFactory

        task = TaskFactory(plan=self.obj("plan", unit), lead_unit=unit, due_date=timezone.localdate() + timedelta(days=20),
                           output_file=ContentFile(b"%PDF-1.4 output", name="output.pdf"))
        return {"pk": task.pk, "_obj": task}

    def build_progress(self, unit):
        from office.models import ProgressReport

        report = ProgressReport.objects.create(
            task=self.obj("task", unit), author=self.unit_user(unit), note="Đang thực hiện", percent=40,
            attachment=ContentFile(b"%PDF-1.4 progress", name="progress.pdf"),
        )
        return {"pk": report.pk}

    def build_adjustment(self, unit):
        from office.models import DeadlineAdjustment

        task = self.obj("task", unit)
        adjustment = DeadlineAdjustment.objects.create(
            task=task, requested_by=self.unit_user(unit), old_deadline_kind=task.deadline_kind, old_due_date=task.due_date,
            new_deadline_kind=task.deadline_kind, new_due_date=task.due_date + timedelta(days=30), reason="Chờ số liệu",
        )
        return {"pk": adjustment.pk}

    def build_petition_batch(self, unit):
        from tests.factories.office import PetitionBatchFactory

        batch = PetitionBatchFactory()
        return {"pk": batch.pk, "_obj": batch}

    def build_petition(self, unit):
        from tests.factories.office import PetitionFactory

        petition = PetitionFactory(batch=self.obj("petition_batch", self.org.home), lead_unit=unit,
                                   answer_file=ContentFile(b"%PDF-1.4 answer", name="answer.pdf"))
        return {"pk": petition.pk}

    # emulation
    def build_scheme(self, unit):
        from tests.factories.emulation import build_scheme

        scheme = build_scheme(lines=2, sections=1)
        return {"pk": scheme.pk, "_obj": scheme}

    def build_node(self, unit):
        scheme = self.obj("scheme", self.org.home)
        return {"pk": scheme.nodes.filter(parent__isnull=False).first().pk}

    def build_campaign(self, unit):
        card = self.obj("scorecard", self.org.home)
        return {"pk": card.campaign_id, "_obj": card.campaign}

    def build_campaign_open(self, unit):
        from tests.factories.emulation import CampaignFactory, build_scheme

        campaign = CampaignFactory(scheme=build_scheme(lines=2, sections=1))
        return {"pk": campaign.pk, "action": "open"}

    def build_scorecard(self, unit):
        from tests.factories.emulation import build_scheme, open_scorecard

        if unit == self.org.home:
            card = open_scorecard(scheme=build_scheme(lines=2, sections=1), unit=unit)
        else:
            home_card = self.obj("scorecard", self.org.home)
            card = open_scorecard(scheme=home_card.campaign.scheme, unit=unit, campaign=home_card.campaign)
        return {"pk": card.pk, "_obj": card}

    def build_line(self, unit):
        line = self.obj("scorecard", unit).lines.order_by("pk").first()
        return {"pk": line.pk, "_obj": line}

    def build_evidence(self, unit):
        from emulation.models import Evidence

        evidence = Evidence.objects.create(line=self.obj("line", unit), uploaded_by=self.unit_user(unit),
                                           file=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"))
        return {"pk": evidence.pk}

    # commendations
    def build_award(self, unit):
        from commendations.models import Award

        return {"pk": Award.objects.get(code="CSTDBO").pk}

    def build_person_id(self, unit):
        return {"person_id": self.obj("person", unit).pk}

    def build_unit_id(self, unit):
        return {"unit_id": unit.pk}

    def build_table(self, unit):
        return {"table": "ratings"}

    def build_dossier(self, unit):
        from tests.factories.commendations import DossierDocumentFactory, DossierFactory, NomineeFactory

        dossier = DossierFactory(unit=unit, year=timezone.localdate().year - 1)
        nominee = NomineeFactory(dossier=dossier, person=self.obj("person", unit))
        document = DossierDocumentFactory(dossier=dossier)
        return {"pk": dossier.pk, "_obj": dossier, "_nominee": nominee, "_document": document}

    def build_dossier_submit(self, unit):
        return {"pk": self.obj("dossier", unit).pk, "action": "submit"}

    def build_nominee(self, unit):
        built = self.args("dossier", unit)
        return {"pk": built["pk"], "nominee_pk": built["_nominee"].pk}

    def build_document(self, unit):
        built = self.args("dossier", unit)
        return {"pk": built["pk"], "document_pk": built["_document"].pk}

    def build_open_nominee(self, unit):
        """A nominee for a state-level award in its dossier's public comment period."""
        from commendations.enums import AwardLevel, DossierState, NomineeState
        from commendations.models import Award
        from tests.factories.commendations import DossierFactory, NomineeFactory

        today = timezone.localdate()
        dossier = DossierFactory(unit=unit, year=today.year - 1, state=DossierState.PUBLIC_COMMENT,
                                 comments_from=today, comments_until=today + timedelta(days=5))
        nominee = NomineeFactory(dossier=dossier, state=NomineeState.PASSED,
                                 award=Award.objects.filter(level=AwardLevel.STATE, subject="person").first())
        return {"pk": nominee.pk}

    def build_meeting(self, unit):
        from commendations.models import CouncilMeeting

        meeting = CouncilMeeting.objects.create(title="Phiên họp Hội đồng", held_on=timezone.localdate())
        return {"pk": meeting.pk, "_obj": meeting}

    def build_ballot(self, unit):
        return {"pk": self.obj("meeting", unit).pk, "nominee_pk": self.args("dossier", self.org.home)["_nominee"].pk}

    def build_decision(self, unit):
        from commendations.models import Decision

        decision = Decision.objects.create(number="01/QĐ-BTP", signed_on=timezone.localdate(), signer="Nguyễn Văn Ký")
        return {"pk": decision.pk}

    def build_unit_year(self, unit):
        return {"unit_id": unit.pk, "year": timezone.localdate().year}

    def build_registration(self, unit):
        from commendations.models import Award, TitleRegistration

        entry = TitleRegistration.objects.create(year=timezone.localdate().year, unit=unit, person=self.obj("person", unit),
                                                 award=Award.objects.get(code="CSTDCS"))
        return {"pk": entry.pk}

    def build_layout(self, unit):
        from commendations.models import CertificateLayout

        layout = CertificateLayout.objects.order_by("pk").first() or CertificateLayout.objects.create(name="Bằng khen")
        return {"pk": layout.pk}

    # printed documents
    def build_job(self, unit):
        from portal.enums import ReportJobState
        from portal.models import ReportJob

        plan = self.obj("plan", unit)
        job = ReportJob.objects.create(kind="office.work_plan_report", requester=self.unit_user(unit), title="Báo cáo",
                                       params={"unit": unit.pk, "year": plan.year},
                                       state=ReportJobState.DONE, finished_at=timezone.now())
        job.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
        job.excel_file.save("report.xlsx", ContentFile(b"PK excel"), save=False)
        job.save()
        return {"pk": job.pk}

    def build_report_kind(self, unit):
        return {"kind": "office.work_plan_report"}


@pytest.fixture
def world(org, users):
    return World(org, users)


def answer(client, users, role, page: Page, url: str):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.post(url) if page.method == "post" else client.get(url)
    return response


def url_for(name, page, world, unit):
    kwargs = {} if page.obj is None else {k: v for k, v in world.args(page.obj, unit).items() if not k.startswith("_")}
    return reverse(name, kwargs=kwargs)


# --- the tests -----------------------------------------------------------------------------------


def test_every_url_has_an_expected_answer():
    """A page added to the URL conf without a row in PAGES fails here (and a removed one too)."""
    names = url_names()
    assert sorted(names - set(PAGES)) == []
    assert sorted(set(PAGES) - names) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_url_answers_each_role_as_designed(client, users, world, org, name):
    page = PAGES[name]
    url = url_for(name, page, world, org.home)
    answers = {}
    for role in ROLES:
        response = answer(client, users, role, page, url)
        answers[role] = response.status_code
        if role == "anonymous" and response.status_code == 302 and name not in OPEN_REDIRECTS:
            assert response["Location"].startswith(reverse("login")), (name, response["Location"])
    assert answers == page.expected()


SCOPED = sorted(name for name, page in PAGES.items() if page.scoped)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCOPED)
def test_object_ids_of_another_unit_answer_404(client, users, world, org, name):
    """Changing the id in the URL to another unit's object never reaches its data."""
    page = PAGES[name]
    url = url_for(name, page, world, org.other)
    answers = {role: answer(client, users, role, page, url).status_code for role in HOME_UNIT_ROLES}
    assert answers == dict.fromkeys(HOME_UNIT_ROLES, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_admin_site_is_closed_to_every_portal_role(client, users, role):
    """The Django admin is for superusers only: every portal role is sent to its login page."""
    client.force_login(getattr(users, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_every_admin_page_sends_portal_roles_to_the_admin_login(client, users):
    """Each registered model's list and add pages (generated from the admin registry) refuse the
    portal's system administrator, who is not a Django superuser."""
    from django.contrib import admin

    client.force_login(users.admin)
    refused = []
    for model in admin.site._registry:
        for view in ("changelist", "add"):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
            response = client.get(url)
            if response.status_code != 302 or not response["Location"].startswith(reverse("admin:login")):
                refused.append((url, response.status_code))
    assert refused == []
