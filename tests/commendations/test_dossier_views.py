"""The dossier pages: the list (constant queries, filters, search with or without diacritics), the
detail (verdicts citing the article, papers, quotas, history), bad uploads refused with the rest of
the form kept, the conflict message on a stale version, and the transition and return forms."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commendations.enums import DocumentKind, DossierState, NomineeState, QuotaPopulation, RatingGrade
from commendations.models import CouncilMeeting, Dossier, Quota
from tests.factories import PersonFactory
from tests.factories.commendations import (
    PDF_BYTES,
    DossierFactory,
    NomineeFactory,
    award,
    cstdbo_history,
    give_ratings,
    ready_dossier,
)

Y = 2025
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail_url(dossier) -> str:
    return reverse("commendations:dossier_detail", args=[dossier.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- The list ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_dossier_list_reads_a_constant_number_of_queries(client, users, org, count, django_assert_num_queries):
    for index in range(count):
        dossier = ready_dossier(org.home, year=Y, state=DossierState.DRAFT)
        for _ in range(index + 1):
            NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home))
    client.force_login(users.leader)

    with django_assert_num_queries(9):
        response = client.get(reverse("commendations:dossier_list") + "?q=nguyen&year=2025")

    assert len(response.context["page_obj"].object_list) == count


@pytest.mark.django_db
def test_dossier_list_filters_by_state_year_and_unit(client, users, org):
    draft = DossierFactory(unit=org.home, year=Y, title="Hồ sơ năm 2025")
    older = DossierFactory(unit=org.home, year=Y - 1, title="Hồ sơ năm 2024", state=DossierState.SUBMITTED)
    child = DossierFactory(unit=org.home_child, year=Y, title="Hồ sơ Văn phòng")
    client.force_login(users.leader)

    def shown(query: str) -> set:
        response = client.get(reverse("commendations:dossier_list") + query)
        return {dossier.pk for dossier in response.context["page_obj"]}

    assert shown("") == {draft.pk, older.pk, child.pk}
    assert shown("?state=submitted") == {older.pk}
    assert shown(f"?year={Y}") == {draft.pk, child.pk}
    assert shown(f"?unit={org.home_child.pk}") == {child.pk}
    assert shown(f"?unit={org.home.pk}&year={Y}") == {draft.pk, child.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Nguyễn Anh Tuấn", "nguyen anh tuan", "TUAN", "anh tuấn"])
def test_dossier_list_finds_a_nominee_with_or_without_diacritics(client, users, org, people, query):
    found = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], title="Đề nghị khen thưởng Văn phòng")
    ready_dossier(org.home, year=Y, nominees=[(PersonFactory(unit=org.home, full_name="Trần Văn Tuân"), "LDTT")],
                  title="Đề nghị khen thưởng Phòng Hành chính")
    client.force_login(users.leader)

    response = client.get(reverse("commendations:dossier_list"), {"q": query})

    pks = [dossier.pk for dossier in response.context["page_obj"]]
    if query == "TUAN":  # "Tuân" folds to "tuan" too
        assert len(pks) == 2
    else:
        assert pks == [found.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Hành chính", "hanh chinh", "HÀNH CHÍNH"])
def test_dossier_list_finds_a_title_with_or_without_diacritics(client, users, org, query):
    found = DossierFactory(unit=org.home, year=Y, title="Đề nghị khen thưởng Phòng Hành chính")
    DossierFactory(unit=org.home, year=Y, title="Đề nghị khen thưởng Văn phòng")
    client.force_login(users.staff)

    response = client.get(reverse("commendations:dossier_list"), {"q": query})

    assert [dossier.pk for dossier in response.context["page_obj"]] == [found.pk]


@pytest.mark.django_db
def test_dossier_list_search_never_reaches_another_units_dossier(client, users, org, people):
    ready_dossier(org.other, year=Y, nominees=[(people.other, "LDTT")])
    client.force_login(users.staff)

    response = client.get(reverse("commendations:dossier_list"), {"q": "dao"})

    assert list(response.context["page_obj"]) == []
    assert people.other.full_name not in response.content.decode()


# --- The detail page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_the_verdict_citing_the_article_the_papers_and_the_history(client, english, users, org):
    qualifies = PersonFactory(unit=org.home, full_name="Trần Văn Đủ")
    cstdbo_history(qualifies, year=Y)
    broken = PersonFactory(unit=org.home, full_name="Lê Thị Đứt")
    cstdbo_history(broken, year=Y, cstdcs_years=[Y - 2, Y])
    dossier = ready_dossier(org.home, year=Y, nominees=[(qualifies, "CSTDBO"), (broken, "CSTDBO")],
                            state=DossierState.APPROVED)
    client.force_login(users.officer)
    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "start_appraisal"]),
                           {"version": 1})
    assert response.status_code == 302

    response = client.get(detail_url(dossier))

    content = response.content.decode()
    rows = {row.nominee.name: row for row in response.context["rows"]}
    assert rows["Lê Thị Đứt"].reasons == [
        "Chiến sĩ thi đua cơ sở in 3 consecutive years ending 2025: found 2023, 2025 — 2024 missing "
        "(Điều 22 Luật Thi đua, khen thưởng 2022)"
    ]
    assert rows["Trần Văn Đủ"].reasons == []
    assert "found 2023, 2025 — 2024 missing (Điều 22 Luật Thi đua, khen thưởng 2022)" in content
    assert content.count('data-eligible="no"') == 1
    assert content.count('data-eligible="yes"') == 1
    assert '<span class="badge text-bg-warning" data-state="appraisal">Under appraisal</span>' in content
    assert content.count('data-nominee-state="pending">Awaiting appraisal</span>') == 2
    assert "started the appraisal of the dossier" in content  # the history
    assert "Cover memo (tờ trình)" in content
    paper = dossier.documents.filter(nominee__isnull=True).first()
    assert reverse("commendations:document_download", args=[dossier.pk, paper.pk]) in content


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_detail_reads_a_constant_number_of_queries(client, users, org, count, django_assert_num_queries):
    dossier = ready_dossier(org.home, year=Y, nominees=[(PersonFactory(unit=org.home), "BKBT") for _ in range(count)])
    dossier.nominees.update(eligibility={"eligible": False, "award": "BKBT", "year": Y, "rule_version": "",
                                         "checks": {"rule": "AwardRule", "passed": False, "article": "",
                                                    "message_code": "no_rule_in_force",
                                                    "params": {"award": "BKBT", "on": "2026-01-01"},
                                                    "evidence": [], "children": []},
                                         "consumed_initiatives": []}, eligible=False)
    client.force_login(users.staff)

    with django_assert_num_queries(13):
        response = client.get(detail_url(dossier))

    assert len(response.context["rows"]) == count


@pytest.mark.django_db
def test_detail_lists_what_the_submission_lacks(client, english, users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    NomineeFactory(dossier=dossier, person=people.own, achievements="")
    client.force_login(users.staff)

    content = client.get(detail_url(dossier)).content.decode()

    assert "Nguyễn Anh Tuấn (Lao động tiên tiến) lacks: the achievement report (typed or as a file)." in content
    assert "The dossier lacks: Cover memo (tờ trình)" in content


# --- Quotas before submission ------------------------------------------------------------------------


@pytest.mark.django_db
def test_quota_exceeded_is_warned_before_submission_with_the_arithmetic(client, english, users, org):
    people = [PersonFactory(unit=org.home) for _ in range(3)]
    Quota.objects.create(year=Y, unit=org.home, award=award("LDTT"), population=QuotaPopulation.STAFF,
                         max_percent=Decimal(10))
    dossier = ready_dossier(org.home, year=Y, nominees=[(person, "LDTT") for person in people])
    client.force_login(users.staff)

    confirm = client.get(reverse("commendations:dossier_transition", args=[dossier.pk, "submit"]))
    detail = client.get(detail_url(dossier))

    for response in (confirm, detail):
        content = response.content.decode()
        assert "data-quota-exceeded" in content
        assert "3 nominated" in content
    # a warning, not a refusal: the unit may still submit
    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "submit"]), {"version": 1})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


# --- Bad uploads: refused, the rest of the form kept ------------------------------------------------------


BAD_FILES = {
    "renamed_exe": (SimpleUploadedFile, ("bien-ban.pdf", EXE), "The content of bien-ban.pdf does not match its .pdf name."),
    "empty": (SimpleUploadedFile, ("bien-ban.pdf", b""), "The submitted file is empty."),
    "oversize": (SimpleUploadedFile, ("bien-ban.pdf", PDF_BYTES + b"0" * (1024 * 1024)),
                 "The file bien-ban.pdf is larger than 1 MB."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_document_upload_refuses_a_bad_file_and_keeps_the_other_fields(client, english, users, org, people, case,
                                                                         settings):
    settings.PORTAL_MAX_UPLOAD_MB = 1
    dossier = DossierFactory(unit=org.home, year=Y)
    nominee = NomineeFactory(dossier=dossier, person=people.own)
    kind, args, message = BAD_FILES[case]
    client.force_login(users.staff)

    response = client.post(
        reverse("commendations:document_upload", args=[dossier.pk]),
        {"version": 1, "nominee": nominee.pk, "kind": DocumentKind.INITIATIVE_CERTIFICATE, "file": kind(*args)},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "The file was not attached." in content
    assert re.search(rf'<option value="{nominee.pk}"[^>]*selected', content)
    assert re.search(r'<option value="initiative_certificate"[^>]*selected', content)
    assert dossier.documents.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_nominee_form_refuses_a_bad_report_file_and_keeps_what_was_typed(client, english, users, org, people, case,
                                                                          settings):
    settings.PORTAL_MAX_UPLOAD_MB = 1
    dossier = DossierFactory(unit=org.home, year=Y)
    kind, args, message = BAD_FILES[case]
    client.force_login(users.leader)

    response = client.post(
        reverse("commendations:nominee_add", args=[dossier.pk]),
        {"version": 1, "subject": "person", "person": people.own.pk, "award": award("CSTDCS").pk,
         "achievements": "Hoàn thành xuất sắc nhiệm vụ; 2 sáng kiến cấp cơ sở.", "report_file": kind(*args)},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "Hoàn thành xuất sắc nhiệm vụ; 2 sáng kiến cấp cơ sở." in content
    assert re.search(rf'<option value="{people.own.pk}"[^>]*selected', content)
    assert re.search(rf'<option value="{award("CSTDCS").pk}"[^>]*selected', content)
    assert dossier.nominees.count() == 0


@pytest.mark.django_db
def test_document_upload_of_a_good_file_is_stored_and_downloadable(client, users, org):
    dossier = DossierFactory(unit=org.home, year=Y)
    client.force_login(users.staff)

    response = client.post(
        reverse("commendations:document_upload", args=[dossier.pk]),
        {"version": 1, "nominee": "", "kind": DocumentKind.MINUTES,
         "file": SimpleUploadedFile("Biên bản họp.pdf", PDF_BYTES)},
    )

    assert response.status_code == 302
    document = dossier.documents.get()
    assert (document.original_name, document.kind, document.size) == ("Biên bản họp.pdf", "minutes", len(PDF_BYTES))
    download = client.get(reverse("commendations:document_download", args=[dossier.pk, document.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES


# --- A stale version: a conflict message, the input kept -----------------------------------------------


@pytest.mark.django_db
def test_stale_version_shows_a_conflict_and_keeps_the_input(client, english, users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home))
    Dossier.objects.filter(pk=dossier.pk).update(version=2)  # someone saved in between
    client.force_login(users.leader)
    data = {"version": 1, "subject": "person", "person": people.own.pk, "award": award("LDTT").pk,
            "achievements": "Báo cáo thành tích đã gõ"}

    response = client.post(reverse("commendations:nominee_add", args=[dossier.pk]), data)

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this dossier while you were working on it." in content
    assert "Báo cáo thành tích đã gõ" in content
    assert 'name="version" value="2"' in content  # saving again, after a look, goes through
    assert dossier.nominees.count() == 1
    response = client.post(reverse("commendations:nominee_add", args=[dossier.pk]), {**data, "version": 2})
    assert response.status_code == 302
    assert dossier.nominees.count() == 2


@pytest.mark.django_db
def test_stale_transition_keeps_the_reason(client, english, users, org, people):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.SUBMITTED)
    client.force_login(users.leader)

    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "send_back"]),
                           {"version": 7, "reason": "Bổ sung biên bản họp"})

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this dossier" in content
    assert "Bổ sung biên bản họp" in content
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


# --- Transitions and the return form -----------------------------------------------------------------


@pytest.mark.django_db
def test_send_back_without_a_reason_is_refused_on_the_form(client, english, users, org, people):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.SUBMITTED)
    client.force_login(users.leader)

    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "send_back"]),
                           {"version": 1, "reason": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


@pytest.mark.django_db
def test_submit_with_missing_papers_shows_them_and_stays_a_draft(client, english, users, org, people):
    dossier = DossierFactory(unit=org.home, year=Y)
    NomineeFactory(dossier=dossier, person=people.own)
    client.force_login(users.staff)

    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "submit"]), {"version": 1})

    assert response.status_code == 400
    assert "The dossier lacks: Cover memo (tờ trình)" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT


@pytest.mark.django_db
def test_send_to_council_offers_open_meetings(client, english, users, org, people):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.APPRAISAL)
    dossier.nominees.update(state=NomineeState.ACCEPTED)
    meeting = CouncilMeeting.objects.create(title="Phiên họp cuối năm", held_on=date(2026, 12, 20))
    client.force_login(users.officer)

    page = client.get(reverse("commendations:dossier_transition", args=[dossier.pk, "send_to_council"]))
    assert "Phiên họp cuối năm" in page.content.decode()
    response = client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "send_to_council"]),
                           {"version": 1, "meeting": meeting.pk})

    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).meeting == meeting


@pytest.mark.django_db
def test_return_form_needs_a_reason_per_chosen_nominee_and_keeps_what_was_typed(client, english, users, org, people):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.APPRAISAL)
    second = NomineeFactory(dossier=dossier, person=PersonFactory(unit=org.home, full_name="Hà Thị Sửa"))
    first = dossier.nominees.get(person=people.own)
    client.force_login(users.officer)
    url = reverse("commendations:dossier_return", args=[dossier.pk])

    response = client.post(url, {"version": 1, f"return_{first.pk}": "on", f"reason_{first.pk}": "",
                                 f"return_{second.pk}": "on", f"reason_{second.pk}": "Thiếu bằng chứng"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Give the reason for returning this nominee." in content
    assert "Thiếu bằng chứng" in content
    response = client.post(url, {"version": 1, f"return_{second.pk}": "on", f"reason_{second.pk}": "Thiếu bằng chứng"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.state, second.return_reason) == (NomineeState.RETURNED, "Thiếu bằng chứng")
    assert dossier.nominees.get(pk=first.pk).state == NomineeState.PENDING
    # the unit sees what to revise, and can edit only that nominee
    client.force_login(users.staff)
    content = client.get(detail_url(dossier)).content.decode()
    assert "Thiếu bằng chứng" in content
    assert reverse("commendations:nominee_edit", args=[dossier.pk, second.pk]) in content
    assert reverse("commendations:nominee_edit", args=[dossier.pk, first.pk]) not in content
    assert 'id="addNominee"' not in content


@pytest.mark.django_db
def test_appraise_page_records_an_exclusion(client, english, users, org, people):
    dossier = ready_dossier(org.home, year=Y, nominees=[(people.own, "LDTT")], state=DossierState.APPRAISAL)
    nominee = dossier.nominees.get()
    client.force_login(users.officer)
    url = reverse("commendations:nominee_appraise", args=[dossier.pk, nominee.pk])

    refused = client.post(url, {"version": 1, "decision": "exclude", "note": ""})
    assert refused.status_code == 400
    assert "Say why the nominee is excluded." in refused.content.decode()
    response = client.post(url, {"version": 1, "decision": "exclude", "note": "Chưa đủ thời gian công tác"})

    assert response.status_code == 302
    nominee.refresh_from_db()
    assert (nominee.state, nominee.appraisal_note) == (NomineeState.EXCLUDED, "Chưa đủ thời gian công tác")


@pytest.mark.django_db
def test_create_page_offers_only_the_units_the_user_works_for(client, english, users, org):
    client.force_login(users.leader)

    page = client.get(reverse("commendations:dossier_create"))
    offered = set(page.context["form"].fields["unit"].queryset)
    assert offered == {org.home, org.home_child}
    response = client.post(reverse("commendations:dossier_create"),
                           {"unit": org.other.pk, "year": Y, "kind": "merit", "title": ""})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    response = client.post(reverse("commendations:dossier_create"),
                           {"unit": org.home_child.pk, "year": Y, "kind": "merit", "title": "Hồ sơ Văn phòng Sở"})
    dossier = Dossier.objects.get()
    assert response.url == detail_url(dossier)
    assert (dossier.unit, dossier.title) == (org.home_child, "Hồ sơ Văn phòng Sở")


@pytest.mark.django_db
def test_delete_asks_for_confirmation_first(client, english, users, org):
    dossier = DossierFactory(unit=org.home, year=Y, title="Bản nháp thử")
    client.force_login(users.staff)

    page = client.get(reverse("commendations:dossier_delete", args=[dossier.pk]))
    assert "Delete the draft “Bản nháp thử”?" in page.content.decode()
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    response = client.post(reverse("commendations:dossier_delete", args=[dossier.pk]), {"version": 1})
    assert response.url == reverse("commendations:dossier_list")
    assert not Dossier.objects.filter(pk=dossier.pk).exists()


@pytest.mark.django_db
def test_detail_names_the_members_a_collective_verdict_points_at(client, english, users, org):
    weak = PersonFactory(unit=org.home_child, full_name="Phan Văn Yếu")
    give_ratings(weak, {Y: RatingGrade.KHTNV})
    give_ratings(PersonFactory(unit=org.home_child), {Y: RatingGrade.HTXSNV})
    dossier = DossierFactory(unit=org.home, year=Y, state=DossierState.APPROVED)
    NomineeFactory(dossier=dossier, person=None, unit=org.home_child, award=award("TTLDXS"))
    client.force_login(users.officer)
    client.post(reverse("commendations:dossier_transition", args=[dossier.pk, "start_appraisal"]), {"version": 1})

    response = client.get(detail_url(dossier))

    reasons = response.context["rows"][0].reasons
    assert any("rated below" in reason and "Phan Văn Yếu" in reason for reason in reasons), reasons
