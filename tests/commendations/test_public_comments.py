"""The public comment period of state-level awards: five working days from the next working day
(weekends skipped), comments only inside it, closing only after it; the public page and its form."""

from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from commendations import council
from commendations.enums import DossierState, NomineeState
from commendations.models import PublicComment
from commendations.services import CommendationsError
from portal.enums import HolidayKind
from portal.models import AuditLog, Notification
from tests.factories import PersonFactory, PublicHolidayFactory
from tests.factories.commendations import DossierFactory, NomineeFactory, award


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The refusals are compared with their English msgids (the Vietnamese catalogue is checked by
    manage.py check_translations); the documents themselves are Vietnamese whatever the language."""
    with translation.override("en"):
        yield


THURSDAY = date(2025, 6, 5)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2025, 6, 5), 0, date(2025, 6, 5)),
        (date(2025, 6, 5), 1, date(2025, 6, 6)),  # Thursday → Friday
        (date(2025, 6, 6), 1, date(2025, 6, 9)),  # Friday → Monday
        (date(2025, 6, 7), 1, date(2025, 6, 9)),  # Saturday → Monday
        (date(2025, 6, 6), 4, date(2025, 6, 12)),  # Fri + Mon Tue Wed Thu
        (date(2025, 6, 2), 5, date(2025, 6, 9)),  # Monday + 5 → next Monday
    ],
)
def test_add_working_days_skips_weekends(day, count, expected):
    assert council.add_working_days(day, count) == expected


def voted_state_level(unit, *, name="Trần Văn Toàn Quốc", code="CSTDTQ"):
    dossier = DossierFactory(unit=unit, state=DossierState.VOTED)
    nominee = NomineeFactory(dossier=dossier, person=PersonFactory(unit=unit, full_name=name), award=award(code),
                             state=NomineeState.PASSED)
    return dossier, nominee


def open_comments(officer, dossier, today=THURSDAY):
    return council.dossier_open_comments(actor=officer, dossier_id=dossier.pk, version=dossier.version, today=today)


def comment(nominee, today, *, body="Đồng chí có thành tích xuất sắc, tôi đồng ý.", client="10.0.0.1"):
    return council.public_comment_add(nominee_id=nominee.pk, name="Nguyễn Thị Dân", contact="0912345678", body=body,
                                      client_key=client, today=today)


@pytest.mark.django_db
def test_the_period_is_five_working_days_from_the_next_working_day_across_a_weekend(org, users):
    dossier, _nominee = voted_state_level(org.home)

    opened = open_comments(users.officer, dossier, today=THURSDAY)

    # opened on Thursday 05/06: Friday 06/06, Monday to Thursday 09–12/06
    assert (opened.state, opened.comments_from, opened.comments_until) == (
        DossierState.PUBLIC_COMMENT, date(2025, 6, 6), date(2025, 6, 12))
    entry = AuditLog.objects.get(action="commendations.dossier.comments_opened")
    assert entry.data == {"comments_from": "2025-06-06", "comments_until": "2025-06-12"}
    assert Notification.objects.filter(recipient=users.staff, kind="commendations.dossier.comments_opened").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("off", "period"),
    [
        (date(2025, 6, 10), (date(2025, 6, 6), date(2025, 6, 13))),  # a Tuesday off inside: ends a day later
        (date(2025, 6, 6), (date(2025, 6, 9), date(2025, 6, 13))),  # the next day off: starts on Monday
    ],
)
def test_a_public_holiday_in_the_period_moves_it_by_a_day(org, users, off, period):
    PublicHolidayFactory(date=off, name="Ngày nghỉ lễ (thử)")
    dossier, _nominee = voted_state_level(org.home)

    opened = open_comments(users.officer, dossier, today=THURSDAY)

    assert (opened.comments_from, opened.comments_until) == period
    assert AuditLog.objects.get(action="commendations.dossier.comments_opened").data == {
        "comments_from": period[0].isoformat(), "comments_until": period[1].isoformat()}


@pytest.mark.django_db
def test_a_compensatory_saturday_counts_in_the_period(org, users):
    PublicHolidayFactory(date=date(2025, 6, 7), name="Làm bù (thử)", kind=HolidayKind.WORKING_DAY)
    dossier, _nominee = voted_state_level(org.home)

    opened = open_comments(users.officer, dossier, today=THURSDAY)

    # Friday 06/06, Saturday 07/06 worked, Monday to Wednesday 09–11/06
    assert (opened.comments_from, opened.comments_until) == (date(2025, 6, 6), date(2025, 6, 11))


@pytest.mark.django_db
def test_only_a_voted_dossier_with_a_state_level_nominee_who_passed_is_published(org, users):
    ministry_only, _nominee = voted_state_level(org.home, code="CSTDBO")
    with pytest.raises(CommendationsError, match="state-level"), translation.override("en"):
        open_comments(users.officer, ministry_only)
    failed_dossier, failed = voted_state_level(org.home)
    failed.state = NomineeState.FAILED
    failed.save()
    with pytest.raises(CommendationsError):
        open_comments(users.officer, failed_dossier)
    council_dossier = DossierFactory(unit=org.home, state=DossierState.COUNCIL)
    with pytest.raises(CommendationsError):
        open_comments(users.officer, council_dossier)
    ministry_only.refresh_from_db()
    assert ministry_only.state == DossierState.VOTED and ministry_only.comments_from is None


@pytest.mark.django_db
def test_comments_are_received_only_during_the_period(org, users):
    dossier, nominee = voted_state_level(org.home)
    open_comments(users.officer, dossier)

    for day in (THURSDAY, date(2025, 6, 13)):  # the day it was opened, the day after the last
        with pytest.raises(CommendationsError):
            comment(nominee, day)
    first = comment(nominee, date(2025, 6, 6), client="10.0.0.1")
    last = comment(nominee, date(2025, 6, 12), client="10.0.0.2")

    assert list(PublicComment.objects.order_by("pk")) == [first, last]
    assert (first.dossier, first.nominee, first.name) == (dossier, nominee, "Nguyễn Thị Dân")


@pytest.mark.django_db
def test_a_comment_on_a_nominee_not_in_the_period_is_refused(org, users):
    dossier, nominee = voted_state_level(org.home)
    ministry = NomineeFactory(dossier=dossier, award=award("CSTDBO"), state=NomineeState.PASSED)
    open_comments(users.officer, dossier)

    with pytest.raises(CommendationsError):
        comment(ministry, date(2025, 6, 9))
    _dossier, unpublished = voted_state_level(org.home, name="Lê Văn Chưa Đăng")
    with pytest.raises(CommendationsError):
        comment(unpublished, date(2025, 6, 9))
    assert not PublicComment.objects.exists()


@pytest.mark.django_db
def test_comment_size_and_rate_are_limited(org, users):
    dossier, nominee = voted_state_level(org.home)
    open_comments(users.officer, dossier)
    day = date(2025, 6, 9)

    with pytest.raises(CommendationsError):
        comment(nominee, day, body="ngắn")
    with pytest.raises(CommendationsError):
        comment(nominee, day, body="x" * (council.BODY_MAX + 1))
    for _ in range(council.COMMENTS_PER_HOUR):
        comment(nominee, day, client="10.9.9.9")
    with pytest.raises(CommendationsError, match="within an hour"), translation.override("en"):
        comment(nominee, day, client="10.9.9.9")
    comment(nominee, day, client="10.9.9.8")  # another sender still may
    assert PublicComment.objects.count() == council.COMMENTS_PER_HOUR + 1


@pytest.mark.django_db
def test_closing_before_the_end_is_refused_and_after_it_the_comments_stay(org, users):
    dossier, nominee = voted_state_level(org.home)
    dossier = open_comments(users.officer, dossier)
    comment(nominee, date(2025, 6, 10))

    with pytest.raises(CommendationsError, match="12/06/2025"):
        council.dossier_close_comments(actor=users.officer, dossier_id=dossier.pk, version=dossier.version,
                                       today=date(2025, 6, 12))

    closed = council.dossier_close_comments(actor=users.officer, dossier_id=dossier.pk, version=dossier.version,
                                            today=date(2025, 6, 13))
    assert (closed.state, closed.comments_until) == (DossierState.VOTED, date(2025, 6, 12))
    assert closed.public_comments.count() == 1
    assert AuditLog.objects.get(action="commendations.dossier.comments_closed").data == {"count": 1}
    with pytest.raises(CommendationsError, match="already ran"), translation.override("en"):
        open_comments(users.officer, closed, today=date(2025, 6, 16))


# --- Pages ---------------------------------------------------------------------------------------------


def _period_around_today(dossier):
    from django.utils import timezone

    today = timezone.localdate()
    dossier.state = DossierState.PUBLIC_COMMENT
    dossier.comments_from, dossier.comments_until = today, council.add_working_days(today, 4)
    dossier.save()


@pytest.mark.django_db
def test_public_page_lists_the_nominees_in_their_period_without_login(client, org):
    dossier, nominee = voted_state_level(org.home, name="Hoàng Thị Công Khai")
    _period_around_today(dossier)
    _other, hidden = voted_state_level(org.home, name="Lý Văn Chưa Mở")

    response = client.get(reverse("commendations:public_comments"))

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [nominee]
    assert "Hoàng Thị Công Khai" in response.content.decode()
    assert hidden.person.full_name not in response.content.decode()
    # search without diacritics
    response = client.get(reverse("commendations:public_comments"), {"q": "hoang thi cong"})
    assert list(response.context["page_obj"]) == [nominee]
    response = client.get(reverse("commendations:public_comments"), {"q": "khong co ai"})
    assert list(response.context["page_obj"]) == []


@pytest.mark.django_db
def test_public_form_records_a_comment_and_keeps_what_was_typed_when_refused(client, org):
    dossier, nominee = voted_state_level(org.home)
    _period_around_today(dossier)
    url = reverse("commendations:public_comment_create", args=[nominee.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    refused = client.post(url, {"name": "Trần Dân", "contact": "abc", "body": "Ngắn quá"})

    assert refused.status_code == 400
    form = refused.context["form"]
    assert set(form.errors) == {"contact", "body"}
    assert "Write at least 10 characters (you wrote 8)." in form.errors["body"]
    assert 'value="Trần Dân"' in refused.content.decode()
    assert not PublicComment.objects.exists()

    robot = client.post(url, {"name": "Bot", "contact": "bot@example.com", "body": "Quảng cáo " * 5,
                              "website": "http://spam"})
    assert robot.status_code == 400 and not PublicComment.objects.exists()

    sent = client.post(url, {"name": "Trần Dân", "contact": "dan@example.vn",
                             "body": "Tôi xác nhận thành tích của đồng chí là đúng."})
    assert sent.status_code == 302
    saved = PublicComment.objects.get()
    assert (saved.nominee, saved.name, saved.contact) == (nominee, "Trần Dân", "dan@example.vn")


@pytest.mark.django_db
def test_public_form_of_a_nominee_outside_a_period_is_not_found(client, org):
    _dossier, nominee = voted_state_level(org.home)
    response = client.get(reverse("commendations:public_comment_create", args=[nominee.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_officers_and_the_council_read_the_comments_on_the_dossier(client, org, users):
    dossier, nominee = voted_state_level(org.home)
    _period_around_today(dossier)
    PublicComment.objects.create(dossier=dossier, nominee=nominee, name="Phạm Góp Ý", contact="0988111222",
                                 body="Đề nghị xem lại thành tích năm 2023.")

    for role in ("officer", "council"):
        client.force_login(getattr(users, role))
        response = client.get(reverse("commendations:dossier_comments", args=[dossier.pk]))
        content = response.content.decode()
        assert response.status_code == 200
        assert "Phạm Góp Ý" in content and "0988111222" in content and "xem lại thành tích năm 2023" in content
    client.force_login(users.staff)
    assert client.get(reverse("commendations:dossier_comments", args=[dossier.pk])).status_code == 403
