"""`manage.py seed_demo`: the demo ministry, its clusters, its people and one login per role."""

import io
import unicodedata
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commendations.enums import DossierState, NomineeState
from commendations.models import (
    AwardRecord,
    Ballot,
    CouncilMeeting,
    Decision,
    Dossier,
    DossierDocument,
    Hold,
    Initiative,
    Nominee,
    Rating,
)
from emulation.models import (
    Campaign,
    Evidence,
    Registration,
    Scheme,
    SchemeGrade,
    SchemeGradeCap,
    SchemeNode,
    SchemeTieBreaker,
    Scorecard,
    ScoreLine,
)
from office.models import (
    DeadlineAdjustment,
    Petition,
    PetitionBatch,
    PlanYear,
    ProgressReport,
    Task,
    WorkPlan,
)
from portal.demo import DEFAULT_PASSWORD, generate_people
from portal.enums import Gender, Role, UnitKind
from portal.models import (
    AuditLog,
    ClusterMembership,
    EmulationCluster,
    Notification,
    Person,
    PublicHoliday,
    RoleGrant,
    Unit,
    UnitMembership,
)

User = get_user_model()

LOGINS = {
    "quantri": Role.SYSTEM_ADMIN,
    "thiduakt": Role.EMULATION_OFFICER,
    "vanphong": Role.PLAN_COORDINATOR,
    "hoidong": Role.COUNCIL_MEMBER,
    "lanhdao": Role.UNIT_LEADER,
    "canbo": Role.STAFF,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The demo's evidence files go to a temporary folder, not the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (
        PublicHoliday,
        Unit,
        EmulationCluster,
        ClusterMembership,
        Person,
        UnitMembership,
        User,
        RoleGrant,
        Notification,
        PlanYear,
        WorkPlan,
        Task,
        Task.cooperating_units.through,
        Task.assignees.through,
        ProgressReport,
        DeadlineAdjustment,
        PetitionBatch,
        Petition,
        Scheme,
        SchemeNode,
        SchemeGrade,
        SchemeGradeCap,
        SchemeTieBreaker,
        Campaign,
        Campaign.clusters.through,
        Registration,
        Scorecard,
        ScoreLine,
        Evidence,
        AuditLog,
        Rating,
        AwardRecord,
        Initiative,
        Initiative.authors.through,
        Hold,
        Dossier,
        Nominee,
        DossierDocument,
        CouncilMeeting,
        Ballot,
        Decision,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_seed_demo_builds_a_ministry_of_units():
    seed()

    assert Unit.objects.count() >= 30
    root = Unit.objects.get(code="BTP")
    assert (root.name, root.kind, root.parent_id) == ("Bộ Tư pháp", UnitKind.MINISTRY, None)
    assert Unit.objects.filter(parent=None).count() == 1
    assert Unit.objects.filter(kind=UnitKind.PROVINCIAL_JUSTICE, parent=root).count() >= 8
    enforcement = Unit.objects.get(code="QLTHA")
    assert Unit.objects.filter(kind=UnitKind.ENFORCEMENT_OFFICE, parent=enforcement).count() >= 6
    assert Unit.objects.filter(kind=UnitKind.DIVISION, parent__code="VP").count() >= 2
    assert Unit.objects.get(code="STP-HN").name == "Sở Tư pháp Hà Nội"
    assert Unit.objects.get(code="THADS-HN").path == "/BTP/QLTHA/THADS-HN/"


@pytest.mark.django_db
def test_seed_demo_tells_departments_from_agencies():
    """Vụ (department), Cục (agency) and Tổng cục (general department) are different kinds of unit."""
    seed()
    ministry_units = Unit.objects.filter(parent__code="BTP")

    agencies = ministry_units.filter(name__startswith="Cục ")
    assert agencies.count() >= 9
    assert set(agencies.values_list("kind", flat=True)) == {UnitKind.AGENCY}
    assert Unit.objects.get(code="QLTHA").kind == UnitKind.AGENCY
    departments = ministry_units.filter(name__startswith="Vụ ")
    assert departments.count() >= 7
    assert set(departments.values_list("kind", flat=True)) == {UnitKind.DEPARTMENT}
    # The provincial Cục Thi hành án dân sự keep their own kind (their cluster is chosen by it).
    assert set(Unit.objects.filter(parent__code="QLTHA").values_list("kind", flat=True)) == {UnitKind.ENFORCEMENT_OFFICE}


@pytest.mark.django_db
def test_seed_demo_seats_every_unit_in_one_cluster_this_year_and_last():
    seed()
    this_year = timezone.localdate().year
    seated_kinds = Unit.objects.exclude(kind__in=[UnitKind.MINISTRY, UnitKind.DIVISION])

    for year in (this_year - 1, this_year):
        seats = ClusterMembership.objects.filter(year=year)
        assert EmulationCluster.objects.filter(memberships__year=year).distinct().count() >= 4
        assert sorted(seats.values_list("unit_id", flat=True)) == sorted(
            seated_kinds.values_list("pk", flat=True)
        )
        for cluster in EmulationCluster.objects.filter(memberships__year=year).distinct():
            assert seats.filter(cluster=cluster, is_head=True).count() == 1, cluster.code
    assert not ClusterMembership.objects.filter(unit__code__in=["BTP", "VP-TH"]).exists()


@pytest.mark.django_db
def test_seed_demo_staffs_the_units_with_vietnamese_names():
    seed()
    people = list(Person.objects.all())

    assert len(people) >= 300
    women = sum(person.gender == Gender.FEMALE for person in people)
    assert 0.45 <= women / len(people) <= 0.65
    for person in people:
        assert unicodedata.is_normalized("NFC", person.full_name), person.full_name
        assert len(person.full_name.split(" ")) >= 2, person.full_name
        assert date(1965, 1, 1) <= person.date_of_birth <= date(2000, 12, 31)
        assert person.position
    nguyen = sum(person.family_name == "Nguyễn" for person in people)
    assert 0.25 <= nguyen / len(people) <= 0.5
    # Every unit but the ministry itself has a head and between a handful and 15 people.
    for unit in Unit.objects.exclude(kind=UnitKind.MINISTRY):
        assert 4 <= unit.people.count() <= 15, unit.code
    assert Person.objects.filter(unit__code="TDKT", position="Vụ trưởng").count() == 1
    assert Person.objects.filter(unit__code="STP-HN", position="Giám đốc Sở").count() == 1


@pytest.mark.django_db
def test_seed_demo_records_work_history_and_people_who_moved():
    seed()
    people = Person.objects.count()

    current = UnitMembership.objects.filter(end_date=None)
    assert current.count() == people
    for person in Person.objects.prefetch_related("memberships"):
        open_rows = [m for m in person.memberships.all() if m.end_date is None]
        assert [m.unit_id for m in open_rows] == [person.unit_id]
        ended = [m for m in person.memberships.all() if m.end_date is not None]
        for row in ended:
            assert row.unit_id != person.unit_id
            assert open_rows[0].start_date == row.end_date + timedelta(days=1)
    movers = UnitMembership.objects.exclude(end_date=None).count()
    assert 0.05 * people <= movers <= 0.2 * people


@pytest.mark.django_db
def test_seed_demo_creates_one_login_per_role_and_prints_them():
    output = seed()

    for username, role in LOGINS.items():
        user = User.objects.get(username=username)
        assert RoleGrant.objects.filter(user=user, role=role).exists(), username
        assert user.person.full_name == user.get_full_name()
        assert user.email == f"{username}@tdkt-demo.invalid"
        assert username in output
    assert DEFAULT_PASSWORD in output
    assert "http://127.0.0.1:8000/" in output
    assert sorted(Role.values) == sorted(LOGINS.values())

    admin = User.objects.get(username="quantri")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.person.unit.code in {"VP", "CNTT"}
    assert User.objects.get(username="thiduakt").person.unit.code == "TDKT"
    assert (
        User.objects.get(username="hoidong").person.position == "Phó Chủ tịch Hội đồng Thi đua – Khen thưởng"
    )
    assert set(RoleGrant.objects.filter(user__username="lanhdao").values_list("role", "unit__code")) == {
        (Role.UNIT_LEADER, "STP-HN"),
        (Role.STAFF, "STP-HN"),
    }
    assert User.objects.get(username="lanhdao").person.position == "Giám đốc Sở"
    assert set(RoleGrant.objects.filter(user__username="canbo").values_list("role", "unit__code")) == {
        (Role.STAFF, "STP-HN")
    }
    assert RoleGrant.objects.filter(role=Role.COUNCIL_MEMBER).count() == 7
    assert not User.objects.filter(is_superuser=True).exclude(username="quantri").exists()


@pytest.mark.django_db
def test_seed_demo_adds_a_year_of_work_plans_and_a_petition_batch():
    output = seed()
    this_year = timezone.localdate().year

    plans = WorkPlan.objects.filter(year=this_year)
    assert plans.count() == Unit.objects.exclude(kind=UnitKind.DIVISION).count()
    assert 900 <= Task.objects.filter(plan__year=this_year).count() <= 1100
    assert PetitionBatch.objects.get().petitions.count() == 20
    assert f"Kế hoạch công tác năm {this_year} (work plans): {plans.count()} — mới (new) {plans.count()}" in output
    assert f"Nhiệm vụ (tasks): {Task.objects.count()} — mới (new) {Task.objects.count()}" in output


@pytest.mark.django_db
def test_seed_demo_adds_this_and_last_years_campaigns_of_the_justice_departments():
    output = seed()
    this_year = timezone.localdate().year

    campaigns = {campaign.year: campaign for campaign in Campaign.objects.all()}
    assert sorted(campaigns) == [this_year - 1, this_year]
    assert (campaigns[this_year].state, campaigns[this_year - 1].state) == ("council", "published")
    for campaign in campaigns.values():
        assert sorted(campaign.clusters.values_list("code", flat=True)) == ["CUM-STP-MB", "CUM-STP-MN"]
        assert sorted(campaign.scorecards.values_list("unit__code", flat=True)) == sorted(
            Unit.objects.filter(kind=UnitKind.PROVINCIAL_JUSTICE).values_list("code", flat=True)
        )
    assert Scorecard.objects.exclude(state="final").count() == 0
    assert (
        "Thi đua (emulation): bảng tiêu chí (schemes) mới 2; phong trào (campaigns) 2 — mới (new) 2; "
        f"phiếu chấm điểm (scorecards) mới {Scorecard.objects.count()}, "
        f"dòng điểm (score lines) mới {ScoreLine.objects.count()}, minh chứng (evidence) mới {Evidence.objects.count()}"
    ) in output


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed()
    before = counts()
    people_before = list(
        Person.objects.values_list("email", "full_name", "unit__code", "position", "version")
    )
    tasks_before = list(Task.objects.order_by("pk").values_list("plan__unit__code", "code", "due_date", "version"))
    scorecards_before = list(
        Scorecard.objects.order_by("pk").values_list(
            "campaign__year", "unit__code", "state", "self_total", "appraised_total", "grade", "version"
        )
    )

    output = seed()

    assert counts() == before
    assert (
        list(Person.objects.values_list("email", "full_name", "unit__code", "position", "version"))
        == people_before
    )
    assert list(Task.objects.order_by("pk").values_list("plan__unit__code", "code", "due_date", "version")) == tasks_before
    assert f"Nhiệm vụ (tasks): {len(tasks_before)} — mới (new) 0" in output
    assert (
        list(
            Scorecard.objects.order_by("pk").values_list(
                "campaign__year", "unit__code", "state", "self_total", "appraised_total", "grade", "version"
            )
        )
        == scorecards_before
    )
    assert "phong trào (campaigns) 2 — mới (new) 0; phiếu chấm điểm (scorecards) mới 0," in output
    assert (
        "(commendation history): xếp loại (ratings) mới 0, khen thưởng (awards) mới 0, "
        "sáng kiến (initiatives) mới 0, tạm hoãn (holds) mới 0"
    ) in output


@pytest.mark.django_db
def test_seed_demo_walks_a_year_end_dossier_into_every_state():
    output = seed()
    year = timezone.localdate().year - 1

    states = dict(Dossier.objects.filter(year=year).values_list("unit__code", "state"))
    assert sorted(states.values()) == sorted(DossierState.values)
    assert f"Hồ sơ đề nghị khen thưởng năm {year} (dossiers): STP-HN appraisal" in output
    # the showcase unit's dossier carries the engine's verdicts: one eligible, one not, with the article
    showcase = Dossier.objects.get(year=year, unit__code="STP-HN")
    verdicts = sorted(showcase.nominees.values_list("award__code", "eligible"))
    assert verdicts == [("CSTDBO", False), ("CSTDBO", True)]
    failing = showcase.nominees.get(eligible=False).eligibility
    assert failing["eligible"] is False and failing["checks"]["article"]
    # the decided dossier's awardees are in the history, linked to their nomination
    decided = Dossier.objects.get(year=year, state=DossierState.DECIDED)
    awarded = decided.nominees.filter(state=NomineeState.AWARDED)
    assert awarded.exists()
    assert AwardRecord.objects.filter(nominee__in=awarded, year=year).count() == awarded.count()
    # the public comment period is open now on the public page
    public = Dossier.objects.get(year=year, state=DossierState.PUBLIC_COMMENT)
    assert public.comments_from <= public.comments_until
    assert Client().get(reverse("commendations:public_comments")).status_code == 200


@pytest.mark.django_db
def test_seed_demo_puts_nguyen_anh_tuan_in_the_leaders_unit():
    seed()

    tuan = Person.objects.get(full_name="Nguyễn Anh Tuấn")
    assert (tuan.unit.code, tuan.gender, tuan.user) == ("STP-HN", Gender.MALE, None)
    assert User.objects.get(username="lanhdao").person.unit == tuan.unit


def can_log_in(username: str, password: str) -> bool:
    """Through the real login page (Client.login() bypasses the request the login throttle needs)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_seed_demo_logins_accept_the_password_and_a_rerun_resets_it():
    seed()
    assert can_log_in("lanhdao", DEFAULT_PASSWORD)

    output = seed("--password", "mat-khau-moi-42")

    assert "mat-khau-moi-42" in output
    assert can_log_in("lanhdao", "mat-khau-moi-42")
    assert can_log_in("hoidong7", "mat-khau-moi-42")
    assert not can_log_in("lanhdao", DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_notifies_in_app_but_emails_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed()

    assert mail.outbox == []
    # 13 grants of the listed logins and the council, 2 for each of the 9 other units with a demo dossier
    assert Notification.objects.filter(kind="portal.role.granted").count() == RoleGrant.objects.count() == 31
    assert Notification.objects.filter(kind__startswith="commendations.dossier.").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_a_year_outside_the_cluster_range():
    with pytest.raises(CommandError):
        seed("--year", "1990")
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_year_option_seeds_that_year_and_the_one_before():
    seed("--year", "2030")

    assert set(ClusterMembership.objects.values_list("year", flat=True)) == {2029, 2030}
    assert set(WorkPlan.objects.values_list("year", flat=True)) == {2030}
    assert list(PlanYear.objects.values_list("year", flat=True)) == [2030]


@pytest.mark.django_db
def test_seed_demo_adds_the_fixed_public_holidays_and_keeps_what_the_admin_entered():
    PublicHoliday.objects.create(date=date(2031, 9, 2), name="Quốc khánh (đã nhập)", basis="Thông báo thử")

    output = seed("--year", "2030")

    assert sorted(PublicHoliday.objects.values_list("date", "name", "kind")) == [
        (date(year, month, day), name, "holiday")
        for year in (2030, 2031)
        for month, day, name in [
            (1, 1, "Tết Dương lịch"),
            (4, 30, "Ngày Chiến thắng"),
            (5, 1, "Ngày Quốc tế Lao động"),
            (9, 2, "Quốc khánh" if year == 2030 else "Quốc khánh (đã nhập)"),
        ]
    ]
    assert PublicHoliday.objects.get(date=date(2030, 4, 30)).basis == "Bộ luật Lao động 2019, Điều 112 khoản 1 điểm c"
    assert "Ngày nghỉ lễ cố định 2030–2031 (fixed public holidays): 8 — mới (new) 7" in output


def test_generate_people_is_deterministic_with_unique_keys():
    first, second = generate_people(), generate_people()

    assert first == second
    assert len({person.email for person in first}) == len(first)
    assert len({person.full_name for person in first}) == len(first)
