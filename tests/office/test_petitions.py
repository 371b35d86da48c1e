"""Voters' petitions: the date rules, the services, the overdue selector, the pages and who may use them."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from office.enums import PetitionBody, PetitionClass
from office.models import Petition, PetitionBatch
from office.selectors_petitions import batch_list_queryset, classification_counts, with_overdue
from office.services import OfficeError
from office.services_petitions import (
    petition_answer,
    petition_batch_create,
    petition_create,
    report_due,
    report_dues,
    working_days_before,
)
from portal.enums import Role
from portal.models import AuditLog, Notification
from portal.services import StaleVersionError
from tests.factories import PublicHolidayFactory, user_with_role
from tests.factories.office import PetitionBatchFactory, PetitionFactory

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def coordinator(org):
    """The Office's plan coordinator (Văn phòng Bộ), who opens batches and records petitions."""
    return user_with_role(Role.PLAN_COORDINATOR, org.ministry, name="Trương Văn Phòng")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def batch(db, today):
    return PetitionBatchFactory(session="Kỳ họp thứ 10, Quốc hội khóa XV", received_on=today - timedelta(days=10))


@pytest.fixture
def petition(batch, org):
    return PetitionFactory(
        batch=batch, lead_unit=org.home, code="KN01", content="Cử tri đề nghị đơn giản hóa thủ tục chứng thực"
    )


@pytest.fixture
def child_petition(batch, org):
    return PetitionFactory(batch=batch, lead_unit=org.home_child, code="KN02", content="Cử tri hỏi về lý lịch tư pháp")


@pytest.fixture
def other_petition(batch, org):
    return PetitionFactory(batch=batch, lead_unit=org.other, code="KN03", content="Cử tri Hải Phòng kiến nghị về hộ tịch")


def answer(actor, petition, **overrides):
    data = {
        "actor": actor,
        "petition_id": petition.pk,
        "version": petition.version,
        "classification": PetitionClass.RESOLVED,
        "answer_text": "Bộ đã sửa Thông tư hướng dẫn.",
        "answered_on": timezone.localdate(),
    }
    data.update(overrides)
    return petition_answer(**data)


# --- Date rules ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_due_is_20_working_days_before_a_monday_session():
    assert report_due(date(2026, 5, 18)) == date(2026, 4, 20)


@pytest.mark.django_db
def test_report_due_skips_weekends_when_the_session_opens_midweek():
    assert report_due(date(2026, 5, 20)) == date(2026, 4, 22)


@pytest.mark.django_db
def test_report_due_from_a_saturday_counts_friday_as_the_first_working_day():
    assert report_due(date(2026, 5, 23)) == date(2026, 4, 27)


def test_report_due_unknown_without_next_session():
    assert report_due(None) is None


@pytest.mark.django_db
def test_report_due_skips_the_public_holidays():
    # 30/04 and 01/05/2026 (Thursday, Friday) off: the 20 working days reach back two days further
    PublicHolidayFactory(date=date(2026, 4, 30), name="Ngày Chiến thắng")
    PublicHolidayFactory(date=date(2026, 5, 1), name="Ngày Quốc tế Lao động")

    assert report_due(date(2026, 5, 18)) == date(2026, 4, 16)


@pytest.mark.django_db
def test_report_dues_of_a_page_read_the_holidays_once(django_assert_num_queries):
    PublicHolidayFactory(date=date(2026, 4, 30), name="Ngày Chiến thắng")
    sessions = [date(2026, 5, 18), None, date(2025, 10, 20), date(2026, 5, 18)]

    with django_assert_num_queries(1):
        dues = report_dues(sessions)

    assert dues == [date(2026, 4, 17), None, date(2025, 9, 22), date(2026, 4, 17)]


@pytest.mark.django_db
def test_working_days_before_never_lands_on_a_weekend():
    start = date(2026, 1, 1)
    landed = {working_days_before(start + timedelta(days=offset), 3).weekday() for offset in range(14)}
    assert landed <= {0, 1, 2, 3, 4}


# --- Services ------------------------------------------------------------------------------------


def test_batch_create_national_assembly_defaults_to_60_days(coordinator):
    batch = petition_batch_create(
        actor=coordinator, body=PetitionBody.NATIONAL_ASSEMBLY, session="Kỳ họp thứ 10", received_on=date(2026, 1, 5)
    )
    assert batch.answer_days == 60
    assert AuditLog.objects.filter(action="office.petition.batch_created", object_id=str(batch.pk)).count() == 1


def test_batch_create_peoples_council_defaults_to_30_days(coordinator):
    batch = petition_batch_create(
        actor=coordinator, body=PetitionBody.PEOPLES_COUNCIL, session="Kỳ họp HĐND", received_on=date(2026, 1, 5)
    )
    assert batch.answer_days == 30


def test_batch_create_keeps_a_configured_period(coordinator):
    batch = petition_batch_create(
        actor=coordinator, body=PetitionBody.NATIONAL_ASSEMBLY, session="Kỳ họp bất thường",
        received_on=date(2026, 1, 5), answer_days=45,
    )
    assert PetitionBatch.objects.get(pk=batch.pk).answer_days == 45


def test_batch_create_refuses_next_session_before_receipt(coordinator):
    with pytest.raises(OfficeError):
        petition_batch_create(
            actor=coordinator, body=PetitionBody.NATIONAL_ASSEMBLY, session="Kỳ họp thứ 10",
            received_on=date(2026, 1, 5), next_session_on=date(2026, 1, 5),
        )


def test_batch_create_is_for_the_office_only(users):
    with pytest.raises(PermissionDenied):
        petition_batch_create(
            actor=users.leader, body=PetitionBody.NATIONAL_ASSEMBLY, session="Kỳ họp thứ 10", received_on=date(2026, 1, 5)
        )
    assert PetitionBatch.objects.count() == 0


def test_petition_deadline_is_60_calendar_days_for_the_national_assembly(coordinator, org):
    batch = PetitionBatchFactory(body=PetitionBody.NATIONAL_ASSEMBLY, received_on=date(2026, 3, 1), answer_days=60)
    petition = petition_create(
        actor=coordinator, batch=batch, code="KN01", content="Nội dung", constituency="", lead_unit=org.home
    )
    assert petition.received_on == date(2026, 3, 1)
    assert petition.answer_deadline == date(2026, 4, 30)


def test_petition_deadline_is_30_calendar_days_for_a_peoples_council(coordinator, org):
    batch = PetitionBatchFactory(body=PetitionBody.PEOPLES_COUNCIL, received_on=date(2026, 3, 1), answer_days=30)
    petition = petition_create(
        actor=coordinator, batch=batch, code="KN01", content="Nội dung", constituency="", lead_unit=org.home,
        received_on=date(2026, 3, 10),
    )
    assert petition.answer_deadline == date(2026, 4, 9)


def test_petition_create_refuses_a_code_used_in_the_batch(coordinator, petition, org):
    with pytest.raises(OfficeError):
        petition_create(
            actor=coordinator, batch=petition.batch, code="KN01", content="Khác", constituency="", lead_unit=org.other
        )
    assert Petition.objects.filter(batch=petition.batch).count() == 1


def test_petition_create_refuses_receipt_before_the_batch(coordinator, batch, org):
    with pytest.raises(OfficeError):
        petition_create(
            actor=coordinator, batch=batch, code="KN09", content="Nội dung", constituency="", lead_unit=org.home,
            received_on=batch.received_on - timedelta(days=1),
        )


def test_petition_create_notifies_the_lead_units_leaders(coordinator, batch, org, users):
    petition_create(actor=coordinator, batch=batch, code="KN05", content="Nội dung", constituency="", lead_unit=org.home_child)
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (users.leader.pk, "office.petition.assigned")
    ]


def test_petition_create_is_for_the_office_only(users, batch, org):
    with pytest.raises(PermissionDenied):
        petition_create(actor=users.staff, batch=batch, code="KN05", content="Nội dung", constituency="", lead_unit=org.home)


def test_answer_records_classification_and_audits(users, petition, today):
    saved = answer(users.staff, petition)
    assert (saved.classification, saved.answered_on, saved.version) == (PetitionClass.RESOLVED, today, 2)
    entry = AuditLog.objects.get(action="office.petition.answered", object_id=str(petition.pk))
    assert entry.actor_id == users.staff.pk
    assert entry.data["changes"]["classification"] == [PetitionClass.UNANSWERED, PetitionClass.RESOLVED]
    assert entry.data["late"] is False


def test_answer_in_progress_requires_roadmap_and_its_deadline(users, petition, today):
    with pytest.raises(OfficeError):
        answer(users.staff, petition, classification=PetitionClass.IN_PROGRESS)
    with pytest.raises(OfficeError):
        answer(users.staff, petition, classification=PetitionClass.IN_PROGRESS, roadmap="Sửa Luật năm 2027")
    saved = answer(
        users.staff, petition, classification=PetitionClass.IN_PROGRESS, roadmap="Sửa Luật năm 2027",
        roadmap_deadline=date(today.year + 1, 12, 31),
    )
    assert (saved.roadmap, saved.roadmap_deadline) == ("Sửa Luật năm 2027", date(today.year + 1, 12, 31))


def test_answer_other_classes_drop_the_roadmap(users, petition, today):
    saved = answer(users.staff, petition, classification=PetitionClass.EXPLAINED, roadmap="x", roadmap_deadline=today)
    assert (saved.roadmap, saved.roadmap_deadline) == ("", None)


def test_answer_refuses_a_date_in_the_future(users, petition, today):
    with pytest.raises(OfficeError):
        answer(users.staff, petition, answered_on=today + timedelta(days=1))
    petition.refresh_from_db()
    assert petition.classification == PetitionClass.UNANSWERED


def test_answer_refuses_not_answered_as_a_classification(users, petition):
    with pytest.raises(OfficeError):
        answer(users.staff, petition, classification=PetitionClass.UNANSWERED)


def test_answer_with_a_stale_version_raises_and_keeps_the_first_answer(users, petition):
    answer(users.staff, petition, answer_text="Câu trả lời thứ nhất")
    with pytest.raises(StaleVersionError):
        answer(users.leader, petition, version=1, answer_text="Câu trả lời thứ hai")
    petition.refresh_from_db()
    assert (petition.answer_text, petition.version) == ("Câu trả lời thứ nhất", 2)


@pytest.mark.parametrize("role", ["officer", "council", "outsider", "no_role"])
def test_answer_refused_to_users_outside_the_lead_unit(users, petition, role):
    with pytest.raises(PermissionDenied):
        answer(getattr(users, role), petition)


def test_answer_allowed_to_the_leader_of_a_parent_unit_and_the_office(users, coordinator, child_petition):
    answer(users.leader, child_petition)
    child_petition.refresh_from_db()
    answer(coordinator, child_petition, classification=PetitionClass.EXPLAINED)
    child_petition.refresh_from_db()
    assert (child_petition.classification, child_petition.version) == (PetitionClass.EXPLAINED, 3)


def test_answer_staff_of_a_sub_unit_is_not_staff_of_the_parent(users, child_petition):
    with pytest.raises(PermissionDenied):
        answer(users.staff, child_petition)


def test_answer_keeps_paragraphs(users, petition):
    saved = answer(users.staff, petition, answer_text="  Đoạn một.\r\n\r\n\r\n\r\nĐoạn   hai.  ")
    assert saved.answer_text == "Đoạn một.\n\nĐoạn hai."


# --- Selectors -----------------------------------------------------------------------------------


def test_overdue_covers_unanswered_past_deadline_and_answered_late(batch, org, today):
    make = lambda code, **kw: PetitionFactory(batch=batch, lead_unit=org.home, code=code, **kw)  # noqa: E731
    make("PAST", answer_deadline=today - timedelta(days=1))
    make("TODAY", answer_deadline=today)
    make("LATE", answer_deadline=today - timedelta(days=5), classification="resolved", answered_on=today - timedelta(days=4))
    make("ONDAY", answer_deadline=today - timedelta(days=5), classification="resolved", answered_on=today - timedelta(days=5))
    flags = dict(with_overdue(Petition.objects.all(), today).values_list("code", "is_overdue"))
    assert flags == {"PAST": True, "TODAY": False, "LATE": True, "ONDAY": False}


def test_classification_counts_list_every_class(batch, org, today):
    PetitionFactory(batch=batch, lead_unit=org.home, classification="resolved", answered_on=today)
    PetitionFactory(batch=batch, lead_unit=org.home, classification="resolved", answered_on=today)
    PetitionFactory(batch=batch, lead_unit=org.home, answer_deadline=today - timedelta(days=1))
    counts = classification_counts(Petition.objects.filter(batch=batch), today)
    assert counts == {
        "unanswered": 1, "resolved": 2, "in_progress": 0, "explained": 0, "total": 3, "overdue": 1, "answered_late": 0,
    }


def test_batch_list_counts_only_petitions_in_scope(users, petition, child_petition, other_petition, today):
    PetitionFactory(batch=petition.batch, lead_unit=petition.lead_unit, answer_deadline=today - timedelta(days=1))
    counts = lambda user: list(  # noqa: E731
        batch_list_queryset(user=user).values_list("petition_count", "unanswered_count", "overdue_count")
    )
    assert counts(users.staff) == [(2, 2, 1)]
    assert counts(users.leader) == [(3, 3, 1)]
    assert counts(users.outsider) == [(1, 1, 0)]
    assert counts(users.officer) == [(4, 4, 1)]
    assert counts(users.no_role) == []


# --- Pages ---------------------------------------------------------------------------------------


def test_coordinator_creates_a_batch(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("office:petition_batch_create"),
        {"body": "peoples_council", "session": "Kỳ họp thứ 5 HĐND", "received_on": "05/01/2026", "next_session_on": "01/07/2026"},
    )
    batch = PetitionBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("office:petition_batch_detail", args=[batch.pk])
    assert (batch.answer_days, batch.next_session_on) == (30, date(2026, 7, 1))


def test_batch_create_form_keeps_input_on_error(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("office:petition_batch_create"),
        {"body": "national_assembly", "session": "Kỳ họp thứ 11", "received_on": "31/02/2026"},
    )
    assert response.status_code == 400
    assert "Kỳ họp thứ 11" in response.content.decode()
    assert PetitionBatch.objects.count() == 0


def test_coordinator_records_a_petition_and_adds_another(client, coordinator, batch, org):
    client.force_login(coordinator)
    response = client.post(
        reverse("office:petition_create", args=[batch.pk]),
        {"code": "KN10", "content": "Cử tri đề nghị", "constituency": "Cử tri tỉnh Nam Định", "lead_unit": org.home.pk,
         "received_on": "", "add_another": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("office:petition_create", args=[batch.pk])
    petition = Petition.objects.get(code="KN10")
    assert petition.answer_deadline == batch.received_on + timedelta(days=60)


def test_petition_create_duplicate_code_keeps_input(client, coordinator, petition, org):
    client.force_login(coordinator)
    response = client.post(
        reverse("office:petition_create", args=[petition.batch.pk]),
        {"code": "KN01", "content": "Nội dung đã gõ", "lead_unit": org.home.pk},
    )
    assert response.status_code == 400
    assert "Nội dung đã gõ" in response.content.decode()


def test_answer_keeps_typed_input_on_error(client, users, petition):
    client.force_login(users.staff)
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": petition.version, "classification": "in_progress", "answer_text": "Đang nghiên cứu sửa Nghị định",
         "answered_on": timezone.localdate().strftime("%d/%m/%Y"), "roadmap": "", "roadmap_deadline": ""},
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Đang nghiên cứu sửa Nghị định" in content
    assert re.search(r'value="in_progress"[^>]*checked', content) is not None
    assert response.context["form"].errors.keys() == {"roadmap", "roadmap_deadline"}
    petition.refresh_from_db()
    assert petition.classification == PetitionClass.UNANSWERED


def test_answer_refuses_a_future_date_in_the_form(client, users, petition, today):
    client.force_login(users.staff)
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": petition.version, "classification": "resolved", "answer_text": "Đã giải quyết",
         "answered_on": (today + timedelta(days=2)).strftime("%d/%m/%Y")},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["answered_on"]


def test_answer_with_a_file_saves_and_redirects(client, users, petition, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.leader)
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": petition.version, "classification": "explained", "answer_text": "Đã giải thích",
         "answered_on": timezone.localdate().strftime("%d/%m/%Y"),
         "answer_file": SimpleUploadedFile("tra-loi.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("office:petition_detail", args=[petition.pk])
    petition.refresh_from_db()
    assert (petition.classification, petition.answer_file.read()) == (PetitionClass.EXPLAINED, PDF)


def test_answer_refuses_a_mislabelled_file(client, users, petition, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.staff)
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": petition.version, "classification": "resolved", "answer_text": "Đã sửa Thông tư",
         "answered_on": timezone.localdate().strftime("%d/%m/%Y"),
         "answer_file": SimpleUploadedFile("tra-loi.pdf", b"MZ\x90\x00binary", content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["answer_file"]
    assert "Đã sửa Thông tư" in response.content.decode()


def test_answer_conflict_shows_both_answers_and_saves_nothing(client, users, petition):
    answer(users.leader, petition, answer_text="Câu trả lời của lãnh đạo")
    client.force_login(users.staff)
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": 1, "classification": "resolved", "answer_text": "Câu trả lời của chuyên viên",
         "answered_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    content = response.content.decode()
    assert response.status_code == 409
    assert "Câu trả lời của lãnh đạo" in content and "Câu trả lời của chuyên viên" in content
    assert response.context["form"]["version"].value() == 2
    petition.refresh_from_db()
    assert petition.answer_text == "Câu trả lời của lãnh đạo"


def test_outsider_gets_404_on_detail_and_answer(client, users, petition):
    client.force_login(users.outsider)
    assert client.get(reverse("office:petition_detail", args=[petition.pk])).status_code == 404
    assert client.post(reverse("office:petition_answer", args=[petition.pk]), {"version": 1}).status_code == 404


def test_staff_of_another_unit_gets_404(client, users, other_petition, child_petition):
    client.force_login(users.staff)
    assert client.get(reverse("office:petition_detail", args=[other_petition.pk])).status_code == 404
    assert client.get(reverse("office:petition_answer", args=[child_petition.pk])).status_code == 404


def test_officer_sees_the_petition_but_may_not_answer(client, users, petition):
    client.force_login(users.officer)
    detail = client.get(reverse("office:petition_detail", args=[petition.pk]))
    assert detail.status_code == 200
    assert reverse("office:petition_answer", args=[petition.pk]) not in detail.content.decode()
    response = client.post(
        reverse("office:petition_answer", args=[petition.pk]),
        {"version": 1, "classification": "resolved", "answer_text": "x", "answered_on": "01/01/2026"},
    )
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.classification == PetitionClass.UNANSWERED


def test_detail_shows_history_and_answer_button_to_the_lead_unit(client, users, petition):
    answer(users.leader, petition)
    client.force_login(users.staff)
    content = client.get(reverse("office:petition_detail", args=[petition.pk])).content.decode()
    assert reverse("office:petition_answer", args=[petition.pk]) in content
    assert "Phạm Thị Lãnh" in content  # the leader's answer in the history


def test_batch_detail_shows_only_petitions_in_scope(client, users, petition, other_petition):
    client.force_login(users.staff)
    response = client.get(reverse("office:petition_batch_detail", args=[petition.batch.pk]))
    codes = [p.code for p in response.context["page_obj"]]
    assert codes == ["KN01"]
    assert response.context["counts"]["total"] == 1


def test_batch_detail_search_without_diacritics(client, users, petition, child_petition):
    client.force_login(users.leader)
    response = client.get(reverse("office:petition_batch_detail", args=[petition.batch.pk]), {"q": "chung thuc"})
    assert [p.code for p in response.context["page_obj"]] == ["KN01"]


def test_batch_detail_filters_by_class_unit_and_overdue(client, coordinator, batch, org, today):
    PetitionFactory(batch=batch, lead_unit=org.home, code="A", answer_deadline=today - timedelta(days=1))
    PetitionFactory(batch=batch, lead_unit=org.home_child, code="B", classification="resolved", answered_on=today)
    PetitionFactory(batch=batch, lead_unit=org.other, code="C")
    client.force_login(coordinator)
    url = reverse("office:petition_batch_detail", args=[batch.pk])
    codes = lambda params: [p.code for p in client.get(url, params).context["page_obj"]]  # noqa: E731
    assert codes({"classification": "resolved"}) == ["B"]
    assert codes({"unit": org.home.pk}) == ["A", "B"]
    assert codes({"overdue": "on"}) == ["A"]
    assert codes({"sort": "-code"}) == ["C", "B", "A"]


def test_overdue_rows_carry_a_red_badge_with_text(client, coordinator, batch, org, today):
    PetitionFactory(batch=batch, lead_unit=org.home, code="TRE", answer_deadline=today - timedelta(days=1))
    client.force_login(coordinator)
    content = client.get(reverse("office:petition_batch_detail", args=[batch.pk])).content.decode()
    assert '<span class="badge text-bg-danger" data-overdue="1">' in content
    assert content.count('data-overdue="1"') == 1


def test_batch_detail_shows_the_report_due_date(client, coordinator):
    batch = PetitionBatchFactory(received_on=date(2026, 1, 5), next_session_on=date(2026, 5, 18))
    client.force_login(coordinator)
    response = client.get(reverse("office:petition_batch_detail", args=[batch.pk]))
    assert response.context["report_due"] == date(2026, 4, 20)
    assert "20/04/2026" in response.content.decode()


# --- Permission matrix ---------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider", "coordinator"]


def _row(anonymous=302, **statuses):
    return {"anonymous": anonymous, **statuses}


# (url name, object) -> expected GET status per role. Objects: "batch"; "home" (led by the staff's
# unit), "child" (led by a sub-unit of home: the leader's, not the staff's) and "other" petitions.
MATRIX = {
    ("office:petition_batch_list", None): _row(
        no_role=200, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200, coordinator=200
    ),
    ("office:petition_batch_create", None): _row(
        no_role=403, staff=403, leader=403, officer=403, council=403, admin=200, outsider=403, coordinator=200
    ),
    ("office:petition_batch_detail", "batch"): _row(
        no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=200, coordinator=200
    ),
    ("office:petition_create", "batch"): _row(
        no_role=404, staff=403, leader=403, officer=403, council=403, admin=200, outsider=403, coordinator=200
    ),
    ("office:petition_detail", "home"): _row(
        no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404, coordinator=200
    ),
    ("office:petition_detail", "child"): _row(
        no_role=404, staff=404, leader=200, officer=200, council=200, admin=200, outsider=404, coordinator=200
    ),
    ("office:petition_detail", "other"): _row(
        no_role=404, staff=404, leader=404, officer=200, council=200, admin=200, outsider=200, coordinator=200
    ),
    ("office:petition_answer", "home"): _row(
        no_role=404, staff=200, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200
    ),
    ("office:petition_answer", "child"): _row(
        no_role=404, staff=404, leader=200, officer=403, council=403, admin=200, outsider=404, coordinator=200
    ),
    ("office:petition_answer", "other"): _row(
        no_role=404, staff=404, leader=404, officer=403, council=403, admin=200, outsider=200, coordinator=200
    ),
}


def matrix_cases():
    for (name, kind), expected in MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{kind}-{role}")


@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(matrix_cases()))
def test_permission_matrix(client, users, coordinator, petition, child_petition, other_petition, url_name, kind, role, expected):
    objects = {"batch": petition.batch, "home": petition, "child": child_petition, "other": other_petition}
    if role == "coordinator":
        client.force_login(coordinator)
    elif role != "anonymous":
        client.force_login(getattr(users, role))
    url = reverse(url_name) if kind is None else reverse(url_name, args=[objects[kind].pk])
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def test_matrix_covers_every_petition_url():
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["office"][1]
    # Downloads (…_file) have their own matrix in tests/office/test_files.py.
    names = {
        f"office:{name}"
        for name in resolver.reverse_dict
        if isinstance(name, str) and "petition" in name and not name.endswith("_file")
    }
    assert names == {name for name, _kind in MATRIX}


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 302), ("no_role", 404), ("staff", 403), ("officer", 403), ("coordinator", 400)]
)
def test_posting_a_batch_or_petition_is_guarded_like_the_page(client, users, coordinator, batch, role, expected):
    if role == "coordinator":
        client.force_login(coordinator)
    elif role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.post(reverse("office:petition_create", args=[batch.pk]), {"code": ""})
    assert response.status_code == expected
    assert Petition.objects.count() == 0


# --- Query counts --------------------------------------------------------------------------------


@pytest.fixture
def _one_page_holds_every_row(settings):
    settings.PORTAL_PAGE_SIZE = 50


@pytest.mark.usefixtures("_one_page_holds_every_row")
@pytest.mark.parametrize("rows", [1, 30])
def test_batch_list_query_count(client, users, org, rows, django_assert_num_queries):
    for _ in range(rows):
        PetitionFactory(batch=PetitionBatchFactory(next_session_on=date(2026, 6, 1)), lead_unit=org.home)
    client.force_login(users.staff)
    # session, user, scope, page count, page rows, the public holidays of every report due on the page,
    # unread notifications, the user's and groups' model permissions (asked once by
    # {% has_perm "office.add_petition" %})
    with django_assert_num_queries(9):
        response = client.get(reverse("office:petition_batch_list"))
    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.usefixtures("_one_page_holds_every_row")
@pytest.mark.parametrize("rows", [1, 30])
def test_batch_detail_query_count(client, users, org, batch, rows, django_assert_num_queries):
    for _ in range(rows):
        PetitionFactory(batch=batch, lead_unit=org.home_child)
    client.force_login(users.leader)
    # session, user, scope, batch, counts, page count, unread notifications, unit choices, page rows
    with django_assert_num_queries(10):
        response = client.get(reverse("office:petition_batch_detail", args=[batch.pk]), {"q": "chung thuc"})
    assert len(response.context["page_obj"].object_list) == rows
