"""Award decisions: rewards from the base salary in force, issuing writes the history (with the nominee
link) and consumes initiatives, next year's checks see the award, and the refusals (issued twice, an
initiative used meanwhile, a hold, a state-level award before its comment period, a stale version)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from commendations import council, eligibility, histories
from commendations.enums import AwardKind, DecisionState, DossierState, NomineeState, RatingGrade
from commendations.models import AwardRecord, Decision, DecisionLine, Initiative
from commendations.services import CommendationsError
from portal.audit import describe
from portal.models import AuditLog, Notification
from portal.services import StaleVersionError
from tests.factories import PersonFactory
from tests.factories.commendations import (
    DossierFactory,
    HoldFactory,
    NomineeFactory,
    award,
    cstdbo_history,
    give_ratings,
    give_titles,
)

Y = 2025
SIGNED = date(Y, 12, 20)
APPRAISED = date(Y, 12, 1)


def appraise(nominee, on=APPRAISED):
    """Attach the engine's verdict the way the appraisal does (the rules in force on ``on``)."""
    year = nominee.dossier.year
    if nominee.person_id:
        history = histories.person_histories([nominee.person], up_to_year=year)[nominee.person_id]
    else:
        history = histories.unit_histories([nominee.unit], year=year)[nominee.unit_id]
    verdict = eligibility.evaluate_in_force(histories.rule_set(on), nominee.award.code, history, year, on)
    nominee.eligibility, nominee.eligible = verdict.as_dict(), verdict.eligible
    nominee.save(update_fields=["eligibility", "eligible"])
    return verdict


def passed(unit, code, *, person=None, collective=None, dossier=None, year=Y, verdict=True, **fields):
    """A nominee (a person, or a ``collective``) who passed the council in a voted dossier of ``unit``,
    appraised when ``verdict``."""
    dossier = dossier or DossierFactory(unit=unit, year=year, state=DossierState.VOTED)
    if person is None and collective is None:
        person = PersonFactory(unit=unit)
    nominee = NomineeFactory(dossier=dossier, person=person, unit=collective, award=award(code),
                             state=NomineeState.PASSED, **fields)
    if verdict:
        appraise(nominee)
    return nominee


def draft(officer, *nominees, number="123/QĐ-BTP", signed_on=SIGNED):
    return council.decision_create(
        actor=officer,
        data={"number": number, "signed_on": signed_on, "signer": "Nguyễn Văn Ký", "signer_title": "Bộ trưởng"},
        nominee_ids=[nominee.pk for nominee in nominees],
    )


def issue(officer, decision):
    decision.refresh_from_db()
    return council.decision_issue(actor=officer, decision_id=decision.pk, version=decision.version)


# --- Amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("multiple", "base", "amount"),
    [
        ("3.0", "2340000", "7020000"),
        ("0.3", "2340000", "702000"),
        ("1.5", "1800000", "2700000"),
        ("0.33", "1234567", "407407"),  # 407407.11 rounded to whole đồng
        ("0.5", "1", "1"),  # half a đồng rounds up
        ("0", "2340000", "0"),
    ],
)
def test_reward_amount_is_the_multiple_times_the_base_rounded_to_the_dong(multiple, base, amount):
    assert council.reward_amount(Decimal(multiple), Decimal(base)) == Decimal(amount)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signed_on", "base"),
    [(date(2025, 12, 20), 2_340_000), (date(2024, 7, 1), 2_340_000), (date(2024, 6, 30), 1_800_000)],
)
def test_decision_lines_use_the_base_salary_in_force_on_the_signing_date(org, users, signed_on, base):
    hero = passed(org.home, "CSTDBO", verdict=False)
    worker = passed(org.home, "LDTT", verdict=False)

    decision = draft(users.officer, hero, worker, signed_on=signed_on)

    amounts = dict(DecisionLine.objects.filter(decision=decision).values_list("nominee_id", "amount"))
    assert decision.base_salary == base
    assert amounts == {hero.pk: 3 * base, worker.pk: Decimal("0.3") * base}


@pytest.mark.django_db
def test_no_base_salary_in_force_refuses_the_decision(org, users):
    nominee = passed(org.home, "LDTT", verdict=False)
    with pytest.raises(CommendationsError, match="base salary"), translation.override("en"):
        draft(users.officer, nominee, signed_on=date(2023, 6, 30))
    assert not Decision.objects.exists()


# --- Issuing --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_writes_the_history_consumes_the_initiative_and_decides_the_dossier(org, users):
    hero = PersonFactory(unit=org.home, full_name="Trần Văn Đủ")
    initiative = cstdbo_history(hero, year=Y)
    nominee = passed(org.home, "CSTDBO", person=hero)
    assert nominee.eligibility["consumed_initiatives"] == [f"SK-{initiative.pk}"]
    team = passed(org.home, "TTLDTT", collective=org.home_child, dossier=nominee.dossier, verdict=False)
    decision = draft(users.officer, nominee, team)

    issued = issue(users.officer, decision)

    assert (issued.state, issued.issued_by, issued.base_salary) == (DecisionState.ISSUED, users.officer, 2_340_000)
    record = AwardRecord.objects.get(nominee=nominee)
    assert (record.person, record.unit, record.award.code, record.year, record.kind) == (
        hero, None, "CSTDBO", Y, AwardKind.MERIT)
    assert (record.decision_number, record.decided_on, record.signer) == ("123/QĐ-BTP", SIGNED, "Nguyễn Văn Ký")
    collective = AwardRecord.objects.get(nominee=team)
    assert (collective.person, collective.unit, collective.award.code) == (None, org.home_child, "TTLDTT")
    initiative.refresh_from_db()
    assert initiative.consumed_by == record
    nominee.refresh_from_db()
    team.refresh_from_db()
    assert (nominee.state, team.state) == (NomineeState.AWARDED, NomineeState.AWARDED)
    nominee.dossier.refresh_from_db()
    assert nominee.dossier.state == DossierState.DECIDED
    amounts = sorted(DecisionLine.objects.filter(decision=decision).values_list("amount", flat=True))
    assert amounts == [Decimal("1872000"), Decimal("7020000")]  # 0.8 and 3.0 × 2,340,000
    entry = AuditLog.objects.get(action="commendations.decision.issued")
    assert entry.data == {"count": 2, "reward_total": 8_892_000}
    with translation.override("vi"):
        assert "8.892.000 VND" in describe(entry)
    assert AuditLog.objects.filter(action="commendations.dossier.decided", object_id=str(nominee.dossier.pk)).exists()
    assert Notification.objects.filter(recipient=users.staff, kind="commendations.decision.issued").count() == 1


@pytest.mark.django_db
def test_the_next_years_eligibility_sees_the_new_award(org, users):
    """CSTĐ cấp Bộ 2026 needs CSTĐCS 2024–2026: the 2025 one comes from the decision."""
    person = PersonFactory(unit=org.home, full_name="Lê Thị Tiếp")
    give_ratings(person, dict.fromkeys([2024, 2025, 2026], RatingGrade.HTXSNV))
    give_titles(person, "LDTT", [2024, 2025, 2026])
    give_titles(person, "CSTDCS", [2024, 2026])
    Initiative.objects.create(title="Sáng kiến số hóa hồ sơ", year=2025, level="ministry").authors.set([person])
    rule = eligibility.rules_in_force(histories.rule_set(), "CSTDBO", date(2026, 12, 1), eligibility.PERSON)

    def cstdbo_2026():
        history = histories.person_histories([person], up_to_year=2026)[person.pk]
        return eligibility.evaluate(rule, history, 2026, date(2026, 12, 1))

    assert cstdbo_2026().eligible is False
    nominee = passed(org.home, "CSTDCS", person=person)
    assert nominee.eligible is True

    issue(users.officer, draft(users.officer, nominee))

    assert cstdbo_2026().eligible is True


@pytest.mark.django_db
def test_a_decision_is_issued_once(org, users):
    decision = draft(users.officer, passed(org.home, "LDTT", verdict=False))
    issue(users.officer, decision)

    with pytest.raises(CommendationsError, match="already issued"), translation.override("en"):
        issue(users.officer, decision)
    assert AwardRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_nominee_is_in_one_decision_only(org, users):
    nominee = passed(org.home, "LDTT", verdict=False)
    draft(users.officer, nominee)

    with pytest.raises(CommendationsError, match="123/QĐ-BTP"):
        draft(users.officer, nominee, number="124/QĐ-BTP")
    with pytest.raises(CommendationsError, match="123/QĐ-BTP"):  # the number is taken too
        draft(users.officer, passed(org.home, "LDTT", verdict=False), number="123/qđ-btp")
    assert Decision.objects.count() == 1


@pytest.mark.django_db
def test_an_initiative_used_meanwhile_refuses_the_whole_decision(org, users):
    hero = PersonFactory(unit=org.home, full_name="Phan Văn Muộn")
    initiative = cstdbo_history(hero, year=Y)
    nominee = passed(org.home, "CSTDBO", person=hero)
    other = passed(org.home, "LDTT", verdict=False)
    decision = draft(users.officer, nominee, other)
    # meanwhile the initiative went to another award (recorded by an import, say)
    used = AwardRecord.objects.create(person=hero, award=award("BKBT"), year=Y, decision_number="88/QĐ-BTP")
    Initiative.objects.filter(pk=initiative.pk).update(consumed_by=used)

    with pytest.raises(CommendationsError) as refused:
        issue(users.officer, decision)

    message = str(refused.value)
    assert "Phan Văn Muộn" in message and initiative.title in message and "88/QĐ-BTP" in message
    assert not AwardRecord.objects.filter(nominee__isnull=False).exists()
    decision.refresh_from_db()
    other.refresh_from_db()
    assert (decision.state, other.state) == (DecisionState.DRAFT, NomineeState.PASSED)


@pytest.mark.django_db
def test_one_initiative_cannot_serve_two_awards_of_one_decision(org, users):
    person = PersonFactory(unit=org.home, full_name="Vương Văn Hai")
    initiative = Initiative.objects.create(title="Sáng kiến dùng chung", year=Y, level="unit")
    named = {"eligible": False, "consumed_initiatives": [f"SK-{initiative.pk}"]}
    first = passed(org.home, "LDTT", person=person, verdict=False, eligibility=named)
    second = passed(org.home, "CSTDCS", person=person, verdict=False, eligibility=named)
    decision = draft(users.officer, first, second)

    with pytest.raises(CommendationsError, match="Sáng kiến dùng chung"):
        issue(users.officer, decision)
    initiative.refresh_from_db()
    assert initiative.consumed_by is None


@pytest.mark.django_db
def test_a_hold_since_the_appraisal_refuses_the_decision_with_the_reason(org, users):
    hero = PersonFactory(unit=org.home, full_name="Hà Văn Hoãn")
    cstdbo_history(hero, year=Y)
    nominee = passed(org.home, "CSTDBO", person=hero)
    assert nominee.eligible is True
    HoldFactory(person=hero, start=date(Y, 12, 5))
    decision = draft(users.officer, nominee)

    with pytest.raises(CommendationsError, match="Hà Văn Hoãn") as refused, translation.override("en"):
        issue(users.officer, decision)
    assert "no longer eligible on 20/12/2025" in str(refused.value)
    assert not AwardRecord.objects.filter(nominee=nominee).exists()


@pytest.mark.django_db
def test_an_existing_award_of_the_same_year_refuses_the_line(org, users):
    nominee = passed(org.home, "LDTT", verdict=False)
    AwardRecord.objects.create(person=nominee.person, award=award("LDTT"), year=Y, decision_number="9/QĐ-STP")

    with pytest.raises(CommendationsError, match="9/QĐ-STP"):
        draft(users.officer, nominee)


@pytest.mark.django_db
def test_a_state_level_award_waits_for_its_public_comment_period(org, users):
    nominee = passed(org.home, "CSTDTQ", verdict=False)
    assert nominee not in council.decision_candidates()
    with pytest.raises(CommendationsError, match="public comment"), translation.override("en"):
        draft(users.officer, nominee)

    nominee.dossier.comments_from, nominee.dossier.comments_until = date(Y, 12, 1), date(Y, 12, 5)
    nominee.dossier.save()

    assert nominee in council.decision_candidates()
    assert draft(users.officer, nominee).lines.get().nominee == nominee


@pytest.mark.django_db
def test_only_passed_nominees_of_voted_dossiers_are_offered(org, users):
    offered = passed(org.home, "LDTT", verdict=False)
    failed = NomineeFactory(dossier=offered.dossier, award=award("LDTT"), state=NomineeState.FAILED)
    in_comments = passed(org.home, "LDTT", verdict=False,
                         dossier=DossierFactory(unit=org.home, state=DossierState.PUBLIC_COMMENT))

    assert list(council.decision_candidates()) == [offered]
    with pytest.raises(CommendationsError):
        draft(users.officer, failed)
    with pytest.raises(CommendationsError):
        draft(users.officer, in_comments)


@pytest.mark.django_db
def test_the_dossier_is_decided_once_all_its_passed_nominees_are_awarded(org, users):
    first = passed(org.home, "LDTT", verdict=False)
    second = passed(org.home, "LDTT", verdict=False, dossier=first.dossier)
    issue(users.officer, draft(users.officer, first))
    first.dossier.refresh_from_db()
    assert first.dossier.state == DossierState.VOTED

    issue(users.officer, draft(users.officer, second, number="200/QĐ-BTP"))

    first.dossier.refresh_from_db()
    assert first.dossier.state == DossierState.DECIDED


@pytest.mark.django_db
def test_issue_refuses_a_stale_version(org, users):
    decision = draft(users.officer, passed(org.home, "LDTT", verdict=False))
    seen = decision.version
    decision = council.decision_update(
        actor=users.officer, decision_id=decision.pk, version=seen,
        data={"number": "125/QĐ-BTP", "signed_on": SIGNED, "signer": "Lê Văn Ký", "signer_title": ""},
        nominee_ids=[decision.lines.get().nominee_id],
    )

    with pytest.raises(StaleVersionError):
        council.decision_issue(actor=users.officer, decision_id=decision.pk, version=seen)
    assert Decision.objects.get().state == DecisionState.DRAFT


@pytest.mark.django_db
def test_update_changes_the_awardees_and_recomputes_the_amounts(org, users):
    kept, dropped, added = (passed(org.home, "LDTT", verdict=False) for _ in range(3))
    decision = draft(users.officer, kept, dropped, signed_on=date(2024, 6, 1))

    decision = council.decision_update(
        actor=users.officer, decision_id=decision.pk, version=decision.version,
        data={"number": decision.number, "signed_on": SIGNED, "signer": "Nguyễn Văn Ký", "signer_title": ""},
        nominee_ids=[kept.pk, added.pk],
    )

    assert dict(decision.lines.values_list("nominee_id", "amount")) == {kept.pk: 702_000, added.pk: 702_000}
    assert list(council.decision_candidates()) == [dropped]
    assert "awardees" in AuditLog.objects.get(action="commendations.decision.updated").data["changes"]


@pytest.mark.django_db
def test_delete_frees_the_awardees(org, users):
    nominee = passed(org.home, "LDTT", verdict=False)
    decision = draft(users.officer, nominee)

    council.decision_delete(actor=users.officer, decision_id=decision.pk, version=decision.version)

    assert not Decision.objects.exists()
    assert list(council.decision_candidates()) == [nominee]
    issued = draft(users.officer, nominee, number="300/QĐ-BTP")
    issue(users.officer, issued)
    issued.refresh_from_db()
    with pytest.raises(CommendationsError):
        council.decision_delete(actor=users.officer, decision_id=issued.pk, version=issued.version)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "leader", "council", "no_role"])
def test_only_officers_and_admins_prepare_and_issue_decisions(org, users, role):
    nominee = passed(org.home, "LDTT", verdict=False)
    with pytest.raises(PermissionDenied):
        draft(getattr(users, role), nominee)
    decision = draft(users.admin, nominee)
    with pytest.raises(PermissionDenied):
        council.decision_issue(actor=getattr(users, role), decision_id=decision.pk, version=decision.version)
    assert not AwardRecord.objects.exists()
