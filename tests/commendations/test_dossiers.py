"""The dossier services (commendations/dossiers.py): creating a dossier and its nominees and papers,
every transition allowed and refused, stale versions, returns per nominee and whole, the
resubmission, the eligibility verdict attached at appraisal, and the papers a submission needs."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from commendations import dossiers as services
from commendations import explain
from commendations.enums import AwardKind, DocumentKind, DossierState, MeetingState, NomineeState
from commendations.models import (
    AwardRecord,
    CouncilMeeting,
    Dossier,
    DossierDocument,
    Nominee,
    TitleRegistration,
)
from portal.models import AuditLog, Notification
from portal.services import StaleVersionError
from tests.factories import PersonFactory
from tests.factories.commendations import (
    PDF_BYTES,
    AwardFactory,
    DossierDocumentFactory,
    DossierFactory,
    NomineeFactory,
    award,
    cstdbo_history,
    dossier_papers,
    nominee_papers,
    ready_dossier,
)

Y = 2025


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def move(dossier: Dossier, action: str, actor, **options) -> Dossier:
    """Run a transition with the dossier's current version."""
    return services.dossier_transition(
        actor=actor, dossier_id=dossier.pk, action=action, version=fresh(dossier).version, **options
    )


def audit(dossier: Dossier, action: str) -> list[dict]:
    return [
        entry.data
        for entry in AuditLog.objects.filter(object_id=str(dossier.pk), action=f"commendations.dossier.{action}")
        .order_by("pk")
    ]


def notified(kind: str) -> set:
    return set(Notification.objects.filter(kind=f"commendations.dossier.{kind}").values_list("recipient_id", flat=True))


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def meeting(db):
    return CouncilMeeting.objects.create(title="Phiên họp Hội đồng tháng 12", held_on=date(2026, 12, 10))


@pytest.fixture
def draft(org, people):
    """A draft of `home`, ready to submit: its papers, and Nguyễn Anh Tuấn (home_child) for LĐTT."""
    return ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")])


# --- Creating a dossier ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_create_by_staff_of_the_unit_is_a_draft_audited(users, org):
    dossier = services.dossier_create(actor=users.staff, unit=org.home, year=Y, kind=AwardKind.MERIT, title="")

    dossier = fresh(dossier)
    assert (dossier.unit, dossier.year, dossier.state, dossier.version) == (org.home, Y, DossierState.DRAFT, 1)
    assert dossier.title == "Proposal for commendation 2025 – Sở Tư pháp Hà Nội"
    assert dossier.created_by == users.staff
    assert audit(dossier, "created") == [
        {"year": Y, "kind": "merit", "unit": "STP-HN", "from_registrations": 0, "skipped": 0}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["outsider", "officer", "council", "admin", "no_role"])
def test_dossier_create_for_a_unit_the_actor_does_not_work_for_is_refused(users, org, role):
    with pytest.raises(PermissionDenied):
        services.dossier_create(actor=getattr(users, role), unit=org.home, year=Y, title="Hồ sơ")
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_dossier_create_by_a_leader_covers_the_sub_units(users, org):
    dossier = services.dossier_create(actor=users.leader, unit=org.home_child, year=Y, title="Hồ sơ Văn phòng Sở")

    assert dossier.unit == org.home_child


@pytest.mark.django_db
def test_dossier_create_from_registrations_proposes_each_fitting_target(users, org, people):
    mover = PersonFactory(unit=org.home, full_name="Trần Văn Chuyển")
    stays = PersonFactory(unit=org.home, full_name="Lê Thị Ở")
    TitleRegistration.objects.create(year=Y, unit=org.home, person=None, award=award("TTLDTT"))
    TitleRegistration.objects.create(year=Y, unit=org.home, person=stays, award=award("CSTDCS"))
    TitleRegistration.objects.create(year=Y, unit=org.home, person=mover, award=award("LDTT"))
    mover.unit = org.other  # moved to another unit after registering
    mover.save()

    dossier = services.dossier_create(actor=users.staff, unit=org.home, year=Y, from_registrations=True)

    nominees = {(n.person_id, n.unit_id, n.award.code) for n in dossier.nominees.all()}
    assert nominees == {(None, org.home.pk, "TTLDTT"), (stays.pk, None, "CSTDCS")}
    assert dossier.nominees.get(person=stays).search_text == "le thi o"
    assert dossier.skipped_targets == [
        "Trần Văn Chuyển does not work in Sở Tư pháp Hà Nội or its sub-units; a unit proposes its own people only."
    ]
    assert audit(dossier, "created")[0]["from_registrations"] == 2


# --- Nominees ----------------------------------------------------------------------------------------


def add(dossier, actor, **fields):
    return services.nominee_add(actor=actor, dossier_id=dossier.pk, version=fresh(dossier).version, **fields)


@pytest.mark.django_db
def test_nominee_add_a_person_of_a_sub_unit_and_the_unit_as_a_collective(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)

    person = add(dossier, users.staff, award=award("CSTDCS"), person=people.own, achievements="  Báo cáo  ")
    collective = add(dossier, users.staff, award=award("TTLDTT"), unit=org.home_child)

    assert (person.state, person.achievements, person.search_text) == (NomineeState.PENDING, "Báo cáo",
                                                                       "nguyen anh tuan")
    assert (collective.unit, collective.search_text, collective.position) == (org.home_child, "van phong so", 2)
    assert fresh(dossier).version == 3
    assert [data["nominee"] for data in audit(dossier, "nominee_added")] == ["Nguyễn Anh Tuấn", "Văn phòng Sở"]


@pytest.mark.django_db
def test_nominee_add_with_a_report_file_attaches_it(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)

    nominee = add(dossier, users.staff, award=award("LDTT"), person=people.own, report_file=pdf("Báo cáo.pdf"))

    document = nominee.documents.get()
    assert (document.kind, document.original_name, document.size) == (
        DocumentKind.ACHIEVEMENT_REPORT, "Báo cáo.pdf", len(PDF_BYTES)
    )
    assert document.file.read() == PDF_BYTES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("person_of_other_unit", "Đặng Thị Đào does not work in Sở Tư pháp Hà Nội or its sub-units"),
        ("collective_outside", "Sở Tư pháp Hải Phòng is not Sở Tư pháp Hà Nội or one of its sub-units"),
        ("parent_as_collective", "Bộ Tư pháp is not Sở Tư pháp Hà Nội or one of its sub-units"),
        ("collective_award_for_person", "Tập thể lao động tiên tiến is for collectives, not for individuals."),
        ("person_award_for_collective", "is for individuals, not for collectives."),
        ("inactive_person", "does not work in Sở Tư pháp Hà Nội"),
    ],
)
def test_nominee_add_refuses_what_does_not_fit(users, org, people, case, message):
    dossier = DossierFactory(unit=org.home, year=Y)
    fields = {
        "person_of_other_unit": {"person": people.other, "award": award("LDTT")},
        "collective_outside": {"unit": org.other, "award": award("TTLDTT")},
        "parent_as_collective": {"unit": org.ministry, "award": award("TTLDTT")},
        "collective_award_for_person": {"person": people.own, "award": award("TTLDTT")},
        "person_award_for_collective": {"unit": org.home, "award": award("CSTDCS")},
        "inactive_person": {"person": PersonFactory(unit=org.home, is_active=False), "award": award("LDTT")},
    }[case]

    with pytest.raises(services.DossierError) as refused:
        add(dossier, users.staff, **fields)

    assert message in str(refused.value)
    assert dossier.nominees.count() == 0
    assert fresh(dossier).version == 1


@pytest.mark.django_db
def test_nominee_add_twice_in_a_dossier_or_in_another_live_dossier_of_the_year_is_refused(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y, title="Hồ sơ thứ nhất")
    add(dossier, users.staff, award=award("LDTT"), person=people.own)
    second = DossierFactory(unit=org.home, year=Y, title="Hồ sơ bổ sung")

    with pytest.raises(services.DossierError, match="already proposed for Lao động tiên tiến in this dossier"):
        add(dossier, users.staff, award=award("LDTT"), person=people.own)
    with pytest.raises(services.DossierError, match="in the dossier “Hồ sơ thứ nhất”"):
        add(second, users.staff, award=award("LDTT"), person=people.own)
    # another award, another year, or once the first dossier was not approved: allowed
    add(dossier, users.staff, award=award("CSTDCS"), person=people.own)
    add(DossierFactory(unit=org.home, year=Y + 1), users.staff, award=award("LDTT"), person=people.own)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.REJECTED)
    add(second, users.staff, award=award("LDTT"), person=people.own)
    assert second.nominees.count() == 1


@pytest.mark.django_db
def test_nominee_add_for_a_merit_award_already_held_that_year_is_refused(users, org, people):
    AwardRecord.objects.create(person=people.own, award=award("LDTT"), year=Y, kind=AwardKind.MERIT)
    dossier = DossierFactory(unit=org.home, year=Y)

    with pytest.raises(services.DossierError, match="Nguyễn Anh Tuấn already holds Lao động tiên tiến for 2025."):
        add(dossier, users.staff, award=award("LDTT"), person=people.own)


@pytest.mark.django_db
def test_nominee_add_with_a_stale_version_changes_nothing(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    add(dossier, users.staff, award=award("LDTT"), person=people.own)

    with pytest.raises(StaleVersionError) as stale:
        services.nominee_add(actor=users.leader, dossier_id=dossier.pk, version=1, award=award("CSTDCS"),
                             person=people.own)

    assert stale.value.current.version == 2
    assert dossier.nominees.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["outsider", "officer", "admin", "council"])
def test_nominee_add_by_someone_outside_the_unit_is_refused(users, org, people, role):
    dossier = DossierFactory(unit=org.home, year=Y)

    with pytest.raises(PermissionDenied):
        add(dossier, getattr(users, role), award=award("LDTT"), person=people.own)


@pytest.mark.django_db
def test_nominee_update_changes_award_and_report_and_reopens_an_appraised_nominee(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    nominee = NomineeFactory(dossier=dossier, person=people.own, state=NomineeState.ACCEPTED,
                             eligibility={"eligible": True}, eligible=True)

    services.nominee_update(actor=users.staff, dossier_id=dossier.pk, version=1, nominee_id=nominee.pk,
                            award=award("CSTDCS"), achievements="Báo cáo mới")

    nominee.refresh_from_db()
    assert (nominee.award.code, nominee.achievements, nominee.state, nominee.eligibility) == (
        "CSTDCS", "Báo cáo mới", NomineeState.PENDING, None
    )
    assert audit(dossier, "nominee_changed")[0]["changes"] == {
        "award": ["Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"],
        "achievements": [NomineeFactory.achievements, "Báo cáo mới"],
    }


@pytest.mark.django_db
def test_nominee_remove_deletes_its_papers_after_commit(users, org, people, django_capture_on_commit_callbacks):
    dossier = DossierFactory(unit=org.home, year=Y)
    nominee = NomineeFactory(dossier=dossier, person=people.own)
    paper = DossierDocumentFactory(dossier=dossier, nominee=nominee, kind=DocumentKind.ACHIEVEMENT_REPORT)
    storage, name = paper.file.storage, paper.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.nominee_remove(actor=users.staff, dossier_id=dossier.pk, version=1, nominee_id=nominee.pk)

    assert dossier.nominees.count() == 0
    assert DossierDocument.objects.count() == 0
    assert storage.exists(name) is False
    assert audit(dossier, "nominee_removed") == [{"nominee": "Nguyễn Anh Tuấn", "award": "Lao động tiên tiến"}]


# --- Papers ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("to-trinh.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "mismatch"),
        ("to-trinh.pdf", b"", "empty"),
        ("to-trinh.exe", b"MZ\x90\x00", "bad_type"),
    ],
)
def test_document_upload_refuses_bad_files(users, org, name, content, code):
    dossier = DossierFactory(unit=org.home, year=Y)

    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=1, kind=DocumentKind.COVER_MEMO,
                                 file=SimpleUploadedFile(name, content))

    assert refused.value.code == code
    assert dossier.documents.count() == 0
    assert fresh(dossier).version == 1


@pytest.mark.django_db
def test_document_upload_refuses_an_oversized_file(users, org, settings):
    settings.PORTAL_MAX_UPLOAD_MB = 1
    dossier = DossierFactory(unit=org.home, year=Y)
    big = SimpleUploadedFile("danh-sach.pdf", PDF_BYTES + b"0" * (1024 * 1024))

    with pytest.raises(ValidationError, match="larger than 1 MB"):
        services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=1,
                                 kind=DocumentKind.NOMINEE_LIST, file=big)


@pytest.mark.django_db
def test_document_upload_places_each_kind_of_paper_where_it_belongs(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    nominee = NomineeFactory(dossier=dossier, person=people.own)

    with pytest.raises(services.DossierError, match="attached to that nominee"):
        services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=1,
                                 kind=DocumentKind.RATING_CERTIFICATE, file=pdf())
    with pytest.raises(services.DossierError, match="A nominee's papers are"):
        services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=1, kind=DocumentKind.MINUTES,
                                 file=pdf(), nominee_id=nominee.pk)
    document = services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=1,
                                        kind=DocumentKind.MINUTES, file=pdf("bien-ban.pdf"))

    assert (document.nominee, document.kind, document.uploaded_by) == (None, DocumentKind.MINUTES, users.staff)
    assert audit(dossier, "document_uploaded") == [
        {"file": "bien-ban.pdf", "document_kind": "minutes", "nominee": ""}
    ]


@pytest.mark.django_db
def test_document_delete_removes_the_file_after_commit(users, org, django_capture_on_commit_callbacks):
    dossier = DossierFactory(unit=org.home, year=Y)
    paper = DossierDocumentFactory(dossier=dossier)
    storage, name = paper.file.storage, paper.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=users.leader, dossier_id=dossier.pk, version=1, document_id=paper.pk)

    assert dossier.documents.count() == 0
    assert storage.exists(name) is False


# --- The dossier itself ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_update_and_its_stale_version(users, org):
    dossier = DossierFactory(unit=org.home, year=Y, title="Hồ sơ cũ")

    services.dossier_update(actor=users.staff, dossier_id=dossier.pk, version=1, title="  Hồ sơ   mới ",
                            kind=AwardKind.AD_HOC)
    with pytest.raises(StaleVersionError):
        services.dossier_update(actor=users.leader, dossier_id=dossier.pk, version=1, title="Khác", kind="merit")

    dossier = fresh(dossier)
    assert (dossier.title, dossier.kind, dossier.version) == ("Hồ sơ mới", AwardKind.AD_HOC, 2)
    assert audit(dossier, "changed") == [{"changes": {"title": ["Hồ sơ cũ", "Hồ sơ mới"], "kind": ["merit", "ad_hoc"]}}]


@pytest.mark.django_db
def test_dossier_delete_only_a_draft(users, org, draft, django_capture_on_commit_callbacks):
    submitted = DossierFactory(unit=org.home, year=Y, state=DossierState.SUBMITTED)
    names = [paper.file.name for paper in draft.documents.all()]
    storage = draft.documents.first().file.storage

    with pytest.raises(services.DossierError, match="Only a draft can be deleted"):
        services.dossier_delete(actor=users.staff, dossier_id=submitted.pk, version=1)
    with pytest.raises(PermissionDenied):
        services.dossier_delete(actor=users.outsider, dossier_id=draft.pk, version=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_delete(actor=users.staff, dossier_id=draft.pk, version=1)

    assert list(Dossier.objects.all()) == [submitted]
    assert Nominee.objects.count() == 0
    assert [storage.exists(name) for name in names] == [False, False, False]
    assert AuditLog.objects.filter(action="commendations.dossier.deleted", object_id=str(draft.pk)).count() == 1


# --- Submission: what it needs ------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_without_nominees_or_papers_lists_what_is_missing(users, org):
    dossier = DossierFactory(unit=org.home, year=Y)

    with pytest.raises(services.DossierError) as refused:
        move(dossier, "submit", users.staff)

    assert str(refused.value) == (
        "The dossier cannot be submitted yet. Propose at least one nominee. The dossier lacks: Cover memo (tờ "
        "trình); List of nominees (danh sách); Minutes of the unit's review with the ballot result (biên bản)."
    )
    assert fresh(dossier).state == DossierState.DRAFT


@pytest.mark.django_db
def test_submit_names_each_nominee_without_its_report_or_required_papers(users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    dossier_papers(dossier)
    without_report = NomineeFactory(dossier=dossier, person=people.own, achievements="  ")
    bkbt = NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home, full_name="Hà Văn Khen"),
                          award=award("BKBT"))
    # a file stands in for the typed report; an excluded nominee's papers are not asked for
    DossierDocumentFactory(dossier=dossier, nominee=bkbt, kind=DocumentKind.ACHIEVEMENT_REPORT)
    NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home), achievements="", state=NomineeState.EXCLUDED)

    assert services.submission_problems(dossier) == [
        "Nguyễn Anh Tuấn (Lao động tiên tiến) lacks: the achievement report (typed or as a file).",
        "Hà Văn Khen (Bằng khen của Bộ trưởng) lacks: Certification of the annual rating.",
    ]
    Nominee.objects.filter(pk=without_report.pk).update(achievements="Đã bổ sung")
    nominee_papers(bkbt)
    assert services.submission_problems(dossier) == []


@pytest.mark.django_db
def test_submit_goes_to_the_unit_leader_audited_and_notified(users, org, draft):
    dossier = move(draft, "submit", users.staff)

    dossier = fresh(dossier)
    assert (dossier.state, dossier.version) == (DossierState.SUBMITTED, 2)
    assert dossier.submitted_at is not None
    assert audit(dossier, "submitted") == [{"previous_state": "draft", "state": "submitted", "reason": ""}]
    assert notified("submitted") == {users.leader.pk}


# --- Every transition, allowed and refused ---------------------------------------------------------

# action → (the states it leaves from, the state it reaches, the roles allowed on a `home` dossier)
TRANSITION_SPEC = {
    "submit": ({"draft", "returned"}, "submitted", {"staff", "leader"}),
    "send_back": ({"submitted"}, "draft", {"leader"}),
    "approve": ({"submitted"}, "approved", {"leader"}),
    "start_appraisal": ({"approved"}, "appraisal", {"officer", "admin"}),
    "return": ({"appraisal"}, "returned", {"officer", "admin"}),
    "send_to_council": ({"appraisal"}, "council", {"officer", "admin"}),
    "reject": ({"appraisal", "voted"}, "rejected", {"officer", "admin"}),
}
ROLES = ["staff", "leader", "officer", "council", "admin", "outsider", "no_role"]


def prepared(org, people, state: str) -> Dossier:
    """A `home` dossier in ``state`` that every check of every transition from it lets through."""
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=state)
    if state in ("appraisal", "voted"):
        dossier.nominees.update(state=NomineeState.ACCEPTED)
    return dossier


def options(action: str, dossier: Dossier, meeting) -> dict:
    return {
        "send_back": {"reason": "Thiếu chữ ký"},
        "reject": {"reason": "Không đủ điều kiện"},
        "return": {"returns": {dossier.nominees.get().pk: "Bổ sung báo cáo"}},
        "send_to_council": {"meeting_id": meeting.pk},
    }.get(action, {})


def transition_cases():
    for action, (sources, target, allowed) in TRANSITION_SPEC.items():
        for source in sources:
            for role in ROLES:
                yield pytest.param(action, source, target, role, role in allowed, id=f"{action}-{source}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source", "target", "role", "allowed"), list(transition_cases()))
def test_transition_by_role(users, org, people, meeting, action, source, target, role, allowed):
    dossier = prepared(org, people, source)
    actor = getattr(users, role)

    if allowed:
        move(dossier, action, actor, **options(action, dossier, meeting))
        assert (fresh(dossier).state, fresh(dossier).version) == (target, 2)
        assert audit(dossier, services.TRANSITIONS[action].action.rsplit(".", 1)[1])[0]["previous_state"] == source
    else:
        with pytest.raises(PermissionDenied):
            move(dossier, action, actor, **options(action, dossier, meeting))
        assert (fresh(dossier).state, fresh(dossier).version) == (source, 1)


def wrong_state_cases():
    for action, (sources, _target, allowed) in TRANSITION_SPEC.items():
        for state in DossierState.values:
            if state not in sources:
                yield pytest.param(action, state, sorted(allowed)[0], id=f"{action}-from-{state}")


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state", "role"), list(wrong_state_cases()))
def test_transition_from_a_wrong_state_is_refused_with_the_state_named(users, org, people, meeting, action, state,
                                                                        role):
    dossier = prepared(org, people, state)

    with pytest.raises(services.DossierError) as refused:
        move(dossier, action, getattr(users, role), **options(action, dossier, meeting))

    label = str(DossierState(state).label)
    assert str(refused.value) == f"The dossier is “{label}”; it cannot be moved that way now."
    assert fresh(dossier).state == state


@pytest.mark.django_db
def test_transition_with_a_stale_version_is_refused(users, org, people):
    dossier = prepared(org, people, "submitted")
    move(dossier, "send_back", users.leader, reason="Sửa tờ trình")

    with pytest.raises(StaleVersionError):
        services.dossier_transition(actor=users.leader, dossier_id=dossier.pk, action="approve", version=1)

    assert fresh(dossier).state == DossierState.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state", "role"), [("send_back", "submitted", "leader"),
                                                       ("reject", "appraisal", "officer")])
def test_send_back_and_reject_need_a_reason(users, org, people, action, state, role):
    dossier = prepared(org, people, state)

    with pytest.raises(services.DossierError, match="Give the reason."):
        move(dossier, action, getattr(users, role), reason="   ")

    assert fresh(dossier).state == state


@pytest.mark.django_db
def test_send_back_returns_to_draft_with_the_reason_told_to_the_unit(users, org, people):
    dossier = prepared(org, people, "submitted")

    move(dossier, "send_back", users.leader, reason="Thiếu biên bản họp")

    dossier = fresh(dossier)
    assert (dossier.state, dossier.reason) == (DossierState.DRAFT, "Thiếu biên bản họp")
    assert audit(dossier, "sent_back") == [
        {"previous_state": "submitted", "state": "draft", "reason": "Thiếu biên bản họp"}
    ]
    assert notified("sent_back") == {users.staff.pk}
    body = Notification.objects.get(kind="commendations.dossier.sent_back")
    assert body.params["reason"] == "Thiếu biên bản họp"


@pytest.mark.django_db
def test_approve_records_the_leader_and_tells_the_unit_and_the_officers(users, org, people):
    dossier = prepared(org, people, "submitted")

    move(dossier, "approve", users.leader)

    dossier = fresh(dossier)
    assert (dossier.state, dossier.approved_by) == (DossierState.APPROVED, users.leader)
    assert notified("approved") == {users.staff.pk}
    assert notified("awaiting_appraisal") == {users.officer.pk}


@pytest.mark.django_db
def test_reject_after_the_vote_keeps_the_reason(users, org, people):
    dossier = prepared(org, people, "voted")

    move(dossier, "reject", users.officer, reason="Không đạt tỷ lệ phiếu")

    dossier = fresh(dossier)
    assert (dossier.state, dossier.reason) == (DossierState.REJECTED, "Không đạt tỷ lệ phiếu")
    assert notified("rejected") == {users.staff.pk, users.leader.pk}


@pytest.mark.django_db
def test_named_wrappers_call_the_one_transition_service(users, org, people, meeting):
    dossier = prepared(org, people, "appraisal")

    services.dossier_send_to_council(actor=users.officer, dossier_id=dossier.pk, version=1, meeting_id=meeting.pk)

    dossier = fresh(dossier)
    assert (dossier.state, dossier.meeting) == (DossierState.COUNCIL, meeting)
    assert audit(dossier, "sent_to_council")[0]["meeting"] == "Phiên họp Hội đồng tháng 12"
    other = prepared(org, people, "appraisal")
    services.dossier_reject(actor=users.officer, dossier_id=other.pk, version=1, reason="Trùng hồ sơ")
    assert fresh(other).state == DossierState.REJECTED


# --- Appraisal: the verdict attached ---------------------------------------------------------------


@pytest.fixture
def approved(org):
    """An approved `home` dossier proposing two people for CSTĐ cấp Bộ: one qualifies, one broke the streak."""
    qualifies = PersonFactory(unit=org.home, full_name="Trần Văn Đủ")
    cstdbo_history(qualifies, year=Y)
    broken = PersonFactory(unit=org.home_child, full_name="Lê Thị Đứt")
    cstdbo_history(broken, year=Y, cstdcs_years=[Y - 2, Y])
    return ready_dossier(org.home, year=Y, nominees=[(qualifies, "CSTDBO"), (broken, "CSTDBO")],
                         state=DossierState.APPROVED)


@pytest.mark.django_db
def test_start_appraisal_attaches_the_verdict_with_the_failing_article(users, approved, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        move(approved, "start_appraisal", users.officer)

    qualifies = approved.nominees.get(person__full_name="Trần Văn Đủ")
    broken = approved.nominees.get(person__full_name="Lê Thị Đứt")
    assert (qualifies.eligible, qualifies.eligibility["eligible"], qualifies.eligibility["award"]) == (True, True,
                                                                                                     "CSTDBO")
    assert qualifies.eligibility["consumed_initiatives"] == [f"SK-{qualifies.person.initiatives.get().pk}"]
    assert broken.eligible is False
    assert explain.failure_summary(broken.eligibility, names={"CSTDCS": "Chiến sĩ thi đua cơ sở"}) == [
        "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2025: found 2023, 2025 — 2024 missing "
        "(Điều 22 Luật Thi đua, khen thưởng 2022)"
    ]
    assert {n.state for n in approved.nominees.all()} == {NomineeState.PENDING}
    assert notified("appraisal_started") == {users.staff.pk, users.leader.pk}


@pytest.mark.django_db
def test_start_appraisal_judges_a_collective_and_an_award_without_rules(users, org):
    dossier = DossierFactory(unit=org.home, year=Y, state=DossierState.APPROVED)
    collective = NomineeFactory(dossier=dossier, person=None, unit=org.home_child, award=award("TTLDTT"))
    unruled = NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home),
                             award=AwardFactory(name="Kỷ niệm chương thử nghiệm"))

    move(dossier, "start_appraisal", users.officer)

    collective.refresh_from_db()
    unruled.refresh_from_db()
    # the collective is judged by the collective rule in force today (NĐ 152/2025): no member holds LĐTT
    assert (collective.eligible, collective.eligibility["rule_version"]) == (False, "152/2025/NĐ-CP")
    assert any("Điều 28 Luật Thi đua, khen thưởng 2022" in reason
               for reason in explain.failure_summary(collective.eligibility))
    assert unruled.eligible is False
    assert unruled.eligibility["checks"]["message_code"] == "no_rule_in_force"


@pytest.mark.django_db
def test_nominee_appraise_accept_and_exclude(users, approved):
    move(approved, "start_appraisal", users.officer)
    qualifies = approved.nominees.get(person__full_name="Trần Văn Đủ")
    broken = approved.nominees.get(person__full_name="Lê Thị Đứt")

    def appraise(nominee, decision, note=""):
        return services.nominee_appraise(actor=users.officer, dossier_id=approved.pk, version=fresh(approved).version,
                                         nominee_id=nominee.pk, decision=decision, note=note)

    with pytest.raises(services.DossierError, match="Say why the nominee is excluded."):
        appraise(broken, "exclude")
    with pytest.raises(services.DossierError, match="found Lê Thị Đứt not eligible; say why you accept"):
        appraise(broken, "accept")
    with pytest.raises(PermissionDenied):
        services.nominee_appraise(actor=users.leader, dossier_id=approved.pk, version=fresh(approved).version,
                                  nominee_id=qualifies.pk, decision="accept")
    appraise(qualifies, "accept")
    appraise(broken, "exclude", "Chuỗi năm CSTĐCS bị gián đoạn")

    assert approved.nominees.get(pk=qualifies.pk).state == NomineeState.ACCEPTED
    broken.refresh_from_db()
    assert (broken.state, broken.appraisal_note) == (NomineeState.EXCLUDED, "Chuỗi năm CSTĐCS bị gián đoạn")
    assert [data["nominee_decision"] for data in audit(approved, "nominee_appraised")] == ["accepted", "excluded"]
    assert notified("nominee_excluded") == {users.staff.pk, users.leader.pk}


@pytest.mark.django_db
def test_nominee_appraise_only_under_appraisal(users, approved):
    nominee = approved.nominees.first()

    with pytest.raises(services.DossierError, match="while the dossier is under appraisal"):
        services.nominee_appraise(actor=users.officer, dossier_id=approved.pk, version=1, nominee_id=nominee.pk,
                                  decision="accept")


@pytest.mark.django_db
def test_refresh_eligibility_sees_a_corrected_history(users, org, approved):
    move(approved, "start_appraisal", users.officer)
    broken = approved.nominees.get(person__full_name="Lê Thị Đứt")
    assert broken.eligible is False
    AwardRecord.objects.create(person=broken.person, award=award("CSTDCS"), year=Y - 1, kind=AwardKind.MERIT)

    services.dossier_refresh_eligibility(actor=users.officer, dossier_id=approved.pk, version=fresh(approved).version)

    broken.refresh_from_db()
    assert broken.eligible is True
    with pytest.raises(PermissionDenied):
        services.dossier_refresh_eligibility(actor=users.staff, dossier_id=approved.pk,
                                             version=fresh(approved).version)


# --- Sending to the council ------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_to_council_needs_every_nominee_appraised_one_accepted_and_an_open_meeting(users, org, people, meeting):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.APPRAISAL)
    second = NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home, full_name="Vương Văn Chờ"))
    closed = CouncilMeeting.objects.create(title="Phiên đã họp", held_on=date(2026, 1, 5), state=MeetingState.CLOSED)

    with pytest.raises(services.DossierError, match="Accept or exclude every nominee first: Nguyễn Anh Tuấn, Vương Văn Chờ."):
        move(dossier, "send_to_council", users.officer, meeting_id=meeting.pk)
    dossier.nominees.update(state=NomineeState.EXCLUDED)
    with pytest.raises(services.DossierError, match="No nominee was accepted"):
        move(dossier, "send_to_council", users.officer, meeting_id=meeting.pk)
    Nominee.objects.filter(pk=second.pk).update(state=NomineeState.ACCEPTED)
    with pytest.raises(services.DossierError, match="Choose the council meeting."):
        move(dossier, "send_to_council", users.officer)
    with pytest.raises(services.DossierError, match="The meeting Phiên đã họp is closed"):
        move(dossier, "send_to_council", users.officer, meeting_id=closed.pk)
    move(dossier, "send_to_council", users.officer, meeting_id=meeting.pk)

    dossier = fresh(dossier)
    assert (dossier.state, dossier.meeting, dossier.version) == (DossierState.COUNCIL, meeting, 2)
    assert notified("sent_to_council") == {users.staff.pk, users.leader.pk}


# --- Returns, per nominee and whole, and the resubmission ---------------------------------------------


@pytest.fixture
def in_appraisal(org, people):
    """Under appraisal: Nguyễn Anh Tuấn accepted (with a verdict), Hà Thị Sửa pending."""
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.APPRAISAL)
    dossier.nominees.update(state=NomineeState.ACCEPTED, eligibility={"eligible": True, "kept": "yes"}, eligible=True)
    fix = NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home, full_name="Hà Thị Sửa"))
    nominee_papers(fix)
    return dossier


@pytest.mark.django_db
def test_return_some_nominees_each_with_its_reason(users, in_appraisal):
    fix = in_appraisal.nominees.get(person__full_name="Hà Thị Sửa")

    with pytest.raises(services.DossierError, match="Give the reason for returning Hà Thị Sửa."):
        move(in_appraisal, "return", users.officer, returns={fix.pk: " "})
    with pytest.raises(services.DossierError, match="Choose the nominees to return, or return the whole dossier."):
        move(in_appraisal, "return", users.officer, returns={})
    move(in_appraisal, "return", users.officer, returns={fix.pk: "Bổ sung số liệu"})

    dossier = fresh(in_appraisal)
    assert (dossier.state, dossier.returned_whole, dossier.reason) == (
        DossierState.RETURNED, False, "Hà Thị Sửa: Bổ sung số liệu"
    )
    states = {n.name: (n.state, n.return_reason) for n in dossier.nominees.all()}
    assert states == {
        "Nguyễn Anh Tuấn": (NomineeState.ACCEPTED, ""),
        "Hà Thị Sửa": (NomineeState.RETURNED, "Bổ sung số liệu"),
    }
    assert audit(dossier, "returned") == [{
        "previous_state": "appraisal", "state": "returned", "reason": "Hà Thị Sửa: Bổ sung số liệu",
        "whole": False, "nominees": {str(fix.pk): "Bổ sung số liệu"},
    }]
    assert notified("returned") == {users.staff.pk, users.leader.pk}


@pytest.mark.django_db
def test_returned_in_part_the_unit_edits_only_the_returned_nominees(users, org, people, in_appraisal):
    fix = in_appraisal.nominees.get(person__full_name="Hà Thị Sửa")
    kept = in_appraisal.nominees.get(person=people.own)
    move(in_appraisal, "return", users.officer, returns={fix.pk: "Bổ sung số liệu"})

    def version():
        return fresh(in_appraisal).version

    with pytest.raises(services.DossierError, match="Nguyễn Anh Tuấn was not returned for revision"):
        services.nominee_update(actor=users.staff, dossier_id=in_appraisal.pk, version=version(), nominee_id=kept.pk,
                                award=award("LDTT"), achievements="Sửa")
    with pytest.raises(services.DossierError, match="Only the nominees returned for revision can be changed"):
        add(in_appraisal, users.staff, award=award("CSTDCS"), person=people.own)
    with pytest.raises(services.DossierError, match="Only the nominees returned for revision can be changed"):
        services.document_upload(actor=users.staff, dossier_id=in_appraisal.pk, version=version(),
                                 kind=DocumentKind.OTHER, file=pdf())
    with pytest.raises(services.DossierError, match="Only the nominees returned"):
        services.dossier_update(actor=users.staff, dossier_id=in_appraisal.pk, version=version(), title="Mới",
                                kind="merit")
    services.nominee_update(actor=users.staff, dossier_id=in_appraisal.pk, version=version(), nominee_id=fix.pk,
                            award=award("LDTT"), achievements="Đã bổ sung số liệu")
    services.document_upload(actor=users.staff, dossier_id=in_appraisal.pk, version=version(),
                             kind=DocumentKind.OTHER, file=pdf(), nominee_id=fix.pk)

    fix.refresh_from_db()
    assert (fix.achievements, fix.state) == ("Đã bổ sung số liệu", NomineeState.RETURNED)
    assert fix.documents.filter(kind=DocumentKind.OTHER).count() == 1


@pytest.mark.django_db
def test_resubmission_reappraises_only_the_returned_nominees(users, in_appraisal, meeting):
    fix = in_appraisal.nominees.get(person__full_name="Hà Thị Sửa")
    move(in_appraisal, "return", users.officer, returns={fix.pk: "Bổ sung số liệu"})

    move(in_appraisal, "submit", users.staff)
    assert fresh(in_appraisal).state == DossierState.SUBMITTED
    fix.refresh_from_db()
    assert fix.state == NomineeState.PENDING
    move(in_appraisal, "approve", users.leader)
    assert fresh(in_appraisal).state == DossierState.APPROVED
    move(in_appraisal, "start_appraisal", users.officer)

    kept = in_appraisal.nominees.get(person__full_name="Nguyễn Anh Tuấn")
    fix.refresh_from_db()
    assert (kept.state, kept.eligibility) == (NomineeState.ACCEPTED, {"eligible": True, "kept": "yes"})
    assert fix.state == NomineeState.PENDING
    assert fix.eligibility["award"] == "LDTT"  # the revised nominee was judged again
    services.nominee_appraise(actor=users.officer, dossier_id=in_appraisal.pk, version=fresh(in_appraisal).version,
                              nominee_id=fix.pk, decision="accept", note="Đã bổ sung đủ")
    move(in_appraisal, "send_to_council", users.officer, meeting_id=meeting.pk)
    assert fresh(in_appraisal).state == DossierState.COUNCIL
    assert [data["previous_state"] for data in audit(in_appraisal, "submitted")] == ["returned"]


@pytest.mark.django_db
def test_return_the_whole_dossier_opens_everything(users, org, people, in_appraisal):
    with pytest.raises(services.DossierError, match="Give the reason for returning the dossier."):
        move(in_appraisal, "return", users.officer, whole=True)
    move(in_appraisal, "return", users.officer, whole=True, reason="Thiếu tờ trình có chữ ký")

    dossier = fresh(in_appraisal)
    assert (dossier.state, dossier.returned_whole, dossier.reason) == (
        DossierState.RETURNED, True, "Thiếu tờ trình có chữ ký"
    )
    assert {n.state for n in dossier.nominees.all()} == {NomineeState.RETURNED}
    # the unit may now add a nominee, change the title and attach papers to the dossier
    add(dossier, users.staff, award=award("CSTDCS"), person=PersonFactory(unit=org.home), achievements="Báo cáo")
    services.document_upload(actor=users.staff, dossier_id=dossier.pk, version=fresh(dossier).version,
                             kind=DocumentKind.COVER_MEMO, file=pdf("to-trinh-moi.pdf"))
    move(dossier, "submit", users.staff)
    assert set(fresh(dossier).nominees.values_list("state", flat=True)) == {NomineeState.PENDING}
    assert fresh(dossier).returned_whole is False


@pytest.mark.django_db
def test_returned_nominees_of_another_dossier_cannot_be_named(users, in_appraisal, org):
    stranger = NomineeFactory(dossier=DossierFactory(unit=org.home, year=Y))

    with pytest.raises(services.DossierError, match="Choose nominees of this dossier."):
        move(in_appraisal, "return", users.officer, returns={stranger.pk: "Không thuộc hồ sơ"})


@pytest.mark.django_db
def test_content_cannot_change_once_submitted(users, org, people):
    dossier = prepared(org, people, "submitted")

    with pytest.raises(services.DossierError, match="its content can no longer be changed"):
        add(dossier, users.staff, award=award("CSTDCS"), person=people.own)


@pytest.mark.django_db
def test_notifications_skip_the_actor_and_other_units(users, org, people):
    other_unit_staff = users.outsider
    dossier = prepared(org, people, "submitted")

    move(dossier, "send_back", users.leader, reason="Thiếu chữ ký")

    assert users.leader.pk not in notified("sent_back")
    assert other_unit_staff.pk not in notified("sent_back")


@pytest.mark.django_db
def test_dossier_default_title_names_a_kind_other_than_merit(users, org):
    with translation.override("en"):
        dossier = services.dossier_create(actor=users.staff, unit=org.home, year=Y, kind=AwardKind.AD_HOC, title="")
    assert dossier.title == "Proposal for commendation 2025 – Sở Tư pháp Hà Nội – ad hoc"
    with translation.override("vi"):
        merit = services.dossier_create(actor=users.staff, unit=org.home, year=Y, kind=AwardKind.MERIT, title="")
    assert merit.title == "Đề nghị khen thưởng năm 2025 – Sở Tư pháp Hà Nội"
