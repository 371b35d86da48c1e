"""Demo year-end dossiers, one in each state, made through the real services (so every step has its
audit entry, notification, verdict and vote): the showcase unit's dossier under appraisal with an
eligible and an ineligible nominee for Chiến sĩ thi đua cấp Bộ, and one dossier of another Sở Tư pháp
in each other state — draft, awaiting the leader, approved, returned for one nominee, before the
council, voted (one nominee failing the pass mark), in its public comment period, decided (with the
award records written) and not approved.

Idempotent: nothing is made when the proposal year already has dossiers of these units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commendations import council, dossiers, eligibility
from commendations.enums import Attendance, DocumentKind, DossierState, NomineeState
from commendations.histories import person_histories, rule_set
from commendations.models import Award, AwardRecord, Dossier, Nominee
from portal.enums import Role
from portal.models import Notification, Person, RoleGrant, Unit

# A tiny valid PDF: the demo's papers (tờ trình, danh sách, biên bản, báo cáo…) are placeholders.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DossierSpec:
    unit: str
    state: str
    awards: tuple[str, ...]  # one nominee per award: the unit's eligible people first


CSTDCS, BKBT, BKTTG = eligibility.CSTDCS, eligibility.BKBT, eligibility.BKTTG
# The showcase unit (STP-HN) first: its two scripted people for CSTĐ cấp Bộ, one eligible and one not.
# The others: at appraisal an eligible nominee is accepted, an ineligible one excluded with the
# engine's reason; the state-level nominee (Bằng khen Thủ tướng) opens the public comment period.
SPECS = (
    DossierSpec("STP-HN", DossierState.APPRAISAL, (eligibility.CSTDBO, eligibility.CSTDBO)),
    DossierSpec("STP-HP", DossierState.DRAFT, (CSTDCS, CSTDCS)),
    DossierSpec("STP-HCM", DossierState.SUBMITTED, (CSTDCS, BKBT)),
    DossierSpec("STP-DT", DossierState.APPROVED, (CSTDCS, BKBT)),
    DossierSpec("STP-CT", DossierState.RETURNED, (CSTDCS, CSTDCS)),
    DossierSpec("STP-NA", DossierState.COUNCIL, (CSTDCS, CSTDCS, BKBT)),
    DossierSpec("STP-TH", DossierState.VOTED, (CSTDCS, CSTDCS)),
    DossierSpec("STP-DN", DossierState.PUBLIC_COMMENT, (BKTTG, BKBT)),
    DossierSpec("STP-QN", DossierState.DECIDED, (CSTDCS, CSTDCS, BKBT)),
    DossierSpec("STP-LD", DossierState.REJECTED, (CSTDCS, BKBT)),
)
# Units that need an unlisted demo login (leader and staff of the unit) to act for them.
UNIT_LOGIN_CODES = tuple(spec.unit for spec in SPECS if spec.unit != "STP-HN")
MEETING_STATES = (DossierState.VOTED, DossierState.PUBLIC_COMMENT, DossierState.DECIDED, DossierState.REJECTED)


def unit_login(code: str) -> str:
    """The unlisted demo login acting for a unit's dossier: "lanhdao.stp-hp"."""
    return f"lanhdao.{code.lower()}"


def _paper(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def _candidates(unit: Unit, award: Award, year: int, on: date, count: int, taken: set[int]) -> list[tuple[Person, bool]]:
    """``count`` people of the unit for the award: the eligible first, never someone who already holds
    it that year or is already proposed; with whether the engine finds them eligible."""
    # Not the unit's head: the unlisted demo login acting for the unit is the head.
    people = list(
        Person.objects.filter(unit=unit, is_active=True, user__isnull=True).exclude(pk__in=taken).order_by("sort_key", "pk")
    )
    holders = set(AwardRecord.objects.filter(award=award, year=year, person__in=people).values_list("person_id", flat=True))
    people = [person for person in people if person.pk not in holders]
    rule = eligibility.rules_in_force(rule_set(on), award.code, on, "person")
    if rule is None or not people:
        return [(person, False) for person in people[:count]]
    verdicts = eligibility.evaluate_many(rule, person_histories(people, up_to_year=year), year, on)
    ranked = sorted(people, key=lambda person: not verdicts[person.pk].eligible)
    return [(person, verdicts[person.pk].eligible) for person in ranked[:count]]


def _prepare(actor, unit: Unit, year: int, nominees: list[tuple[Person, Award]]) -> Dossier:
    """A complete draft: two nominees with their achievement reports and every paper their awards need."""
    dossier = dossiers.dossier_create(actor=actor, unit=unit, year=year)
    for person, award in nominees:
        dossier = _fresh(dossier)
        dossiers.nominee_add(
            actor=actor, dossier_id=dossier.pk, version=dossier.version, award=award, person=person,
            achievements=(
                f"Năm {year}, đồng chí {person.full_name} hoàn thành xuất sắc nhiệm vụ được giao, chủ trì "
                "nhiều nhiệm vụ trọng tâm của đơn vị, có sáng kiến được áp dụng hiệu quả."
            ),
        )
    for kind in (DocumentKind.COVER_MEMO, DocumentKind.NOMINEE_LIST, DocumentKind.MINUTES):
        dossier = _fresh(dossier)
        dossiers.document_upload(actor=actor, dossier_id=dossier.pk, version=dossier.version, kind=kind,
                                 file=_paper(f"{kind}.pdf"))
    for nominee in dossier.nominees.select_related("award"):
        for kind in nominee.award.required_documents:
            if kind == DocumentKind.ACHIEVEMENT_REPORT:
                continue  # typed in the nominee's text
            dossier = _fresh(dossier)
            dossiers.document_upload(actor=actor, dossier_id=dossier.pk, version=dossier.version, kind=kind,
                                     file=_paper(f"{kind}-{nominee.pk}.pdf"), nominee_id=nominee.pk)
    return _fresh(dossier)


def _appraise_all(officer, dossier: Dossier) -> Dossier:
    """Accept the eligible nominees, exclude the others with the engine's first reason."""
    from commendations import explain
    from commendations.selectors import award_names

    names = award_names()
    nominees = list(dossier.nominees.order_by("position", "pk"))
    # A dossier that goes on needs an accepted nominee: when none is eligible, the first is accepted
    # on the unit's explanation (the note the standing body must give).
    vouched = None if any(n.eligible for n in nominees) else nominees[0].pk
    for nominee in nominees:
        dossier = _fresh(dossier)
        if nominee.eligible:
            decision, note = "accept", ""
        elif nominee.pk == vouched:
            decision, note = "accept", "Đơn vị đã giải trình và bổ sung minh chứng; đề nghị Hội đồng xem xét."
        else:
            verdict = dossiers.nominee_verdicts([nominee], year=dossier.year, on=dossier.created_at.date())[nominee.pk]
            reasons = explain.failure_summary(verdict, names=names)
            decision, note = "exclude", "Không đủ điều kiện: " + (reasons[0] if reasons else "theo kết quả thẩm định")
        dossiers.nominee_appraise(actor=officer, dossier_id=dossier.pk, version=dossier.version,
                                  nominee_id=nominee.pk, decision=decision, note=note)
    return _fresh(dossier)


def build_dossier_demo(*, year: int, today: date, stdout=None) -> dict[str, int]:
    """The proposal year ``year``'s dossiers, one per state (see the module's docstring)."""
    User = get_user_model()
    codes = [spec.unit for spec in SPECS]
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    if Dossier.objects.filter(year=year, unit__code__in=codes).exists() or len(units) != len(codes):
        return {"dossiers": 0}
    users = {user.username: user for user in User.objects.filter(
        username__in=["canbo", "lanhdao", "thiduakt", *[unit_login(code) for code in UNIT_LOGIN_CODES]]
    )}
    officer = users["thiduakt"]
    council_users = [grant.user for grant in RoleGrant.objects.filter(role=Role.COUNCIL_MEMBER).select_related("user")
                     .order_by("user__username")]
    awards = {award.code: award for award in Award.objects.all()}
    on = max(today, date(year, 12, 31))
    # The services notify the people concerned, in the portal and by e-mail; the demo's notifications
    # are marked as e-mailed below so that its invented addresses are never written to.
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    taken: set[int] = set()
    made: dict[str, Dossier] = {}
    for spec in SPECS:
        unit = units[spec.unit]
        staff = users["canbo"] if spec.unit == "STP-HN" else users[unit_login(spec.unit)]
        leader = users["lanhdao"] if spec.unit == "STP-HN" else users[unit_login(spec.unit)]
        if spec.unit == "STP-HN":
            from commendations.demo import showcase_people

            showcase = showcase_people(list(Person.objects.filter(unit=unit, is_active=True)))
            chosen = [(showcase[key], awards[eligibility.CSTDBO]) for key in ("cstdbo_ok", "cstdbo_streak")
                      if key in showcase]
        else:
            chosen = []
            for code in spec.awards:
                found = _candidates(unit, awards[code], year, on, 1, taken)
                if found:
                    chosen.append((found[0][0], awards[code]))
                    taken.add(found[0][0].pk)
        taken.update(person.pk for person, _award in chosen)
        dossier = _prepare(staff, unit, year, chosen)
        made[spec.unit] = dossier
        if spec.state == DossierState.DRAFT:
            continue
        dossier = dossiers.dossier_submit(actor=staff, dossier_id=dossier.pk, version=dossier.version)
        if spec.state == DossierState.SUBMITTED:
            continue
        dossier = dossiers.dossier_approve(actor=leader, dossier_id=dossier.pk, version=dossier.version)
        if spec.state == DossierState.APPROVED:
            continue
        dossier = dossiers.dossier_start_appraisal(actor=officer, dossier_id=dossier.pk, version=dossier.version)
        if spec.state == DossierState.APPRAISAL:
            continue
        if spec.state == DossierState.RETURNED:
            first = dossier.nominees.order_by("position", "pk").first()
            dossiers.dossier_return(
                actor=officer, dossier_id=dossier.pk, version=dossier.version,
                returns={first.pk: "Báo cáo thành tích chưa nêu số liệu cụ thể; đề nghị bổ sung xác nhận xếp loại."},
            )
            continue
        made[spec.unit] = _appraise_all(officer, dossier)

    # The council: one meeting held and closed in January of the next year, one still open.
    members = {user.pk: Attendance.PRESENT for user in council_users}
    if council_users:
        members[council_users[-1].pk] = Attendance.WRITTEN
    held = council.meeting_create(
        actor=officer, members=members,
        data={"title": f"Phiên họp Hội đồng Thi đua – Khen thưởng xét khen thưởng năm {year}",
              "held_on": date(year + 1, 1, 15), "place": "Trụ sở Bộ Tư pháp, 60 Trần Phú, Hà Nội",
              "chair": "Bộ trưởng Bộ Tư pháp", "secretary": "Vụ trưởng Vụ Thi đua – Khen thưởng"},
    )
    upcoming = council.meeting_create(
        actor=officer, members={user.pk: Attendance.PRESENT for user in council_users},
        data={"title": f"Phiên họp bổ sung xét khen thưởng năm {year}", "held_on": max(today, date(year + 1, 2, 20)),
              "place": "Trụ sở Bộ Tư pháp", "chair": "Bộ trưởng Bộ Tư pháp", "secretary": ""},
    )
    for spec in SPECS:
        if spec.state not in (*MEETING_STATES, DossierState.COUNCIL):
            continue
        dossier = _fresh(made[spec.unit])
        meeting = upcoming if spec.state == DossierState.COUNCIL else held
        made[spec.unit] = dossiers.dossier_send_to_council(actor=officer, dossier_id=dossier.pk, version=dossier.version,
                                                           meeting_id=meeting.pk)
    total = len(council_users)
    written = 1 if council_users else 0
    for spec in SPECS:
        if spec.state not in MEETING_STATES:
            continue
        nominees = list(Nominee.objects.filter(dossier=made[spec.unit], state=NomineeState.ACCEPTED).order_by("position", "pk"))
        for index, nominee in enumerate(nominees):
            # Voted: the second nominee gets 2 votes of 7 (under any pass mark); not approved: every
            # nominee fails. The others: every vote in favour, the absent member's in writing.
            fails = spec.state == DossierState.REJECTED or (spec.state == DossierState.VOTED and index == 1)
            room = total - written
            favour = min(2, room) if fails else room
            council.ballot_record(
                actor=officer, meeting_id=held.pk, nominee_id=nominee.pk,
                in_favour=favour, against=room - favour - (1 if fails and room - favour else 0),
                abstain=1 if fails and room - favour else 0,
                written_in_favour=0 if fails else written, written_against=written if fails else 0, written_abstain=0,
            )
    held.refresh_from_db()
    council.meeting_close(actor=officer, meeting_id=held.pk, version=held.version)

    commented = _fresh(made["STP-DN"])
    council.dossier_open_comments(actor=officer, dossier_id=commented.pk, version=commented.version, today=today)

    decided = _fresh(made["STP-QN"])
    awardees = list(decided.nominees.filter(state=NomineeState.PASSED).values_list("pk", flat=True))
    decision = council.decision_create(
        actor=officer, nominee_ids=awardees,
        data={"number": f"{120 + year % 100}/QĐ-BTP", "signed_on": date(year + 1, 1, 25), "signer": "Nguyễn Hải Ninh",
              "signer_title": "Bộ trưởng Bộ Tư pháp"},
    )
    council.decision_issue(actor=officer, decision_id=decision.pk, version=decision.version)

    Notification.objects.filter(pk__gt=last_notification, emailed_at__isnull=True).update(emailed_at=timezone.now())
    states = dict(Dossier.objects.filter(year=year, unit__code__in=codes).values_list("unit__code", "state"))
    if stdout is not None:
        stdout.write(
            f"Hồ sơ đề nghị khen thưởng năm {year} (dossiers): "
            + ", ".join(f"{code} {states.get(code, '?')}" for code in codes) + "\n"
        )
    return {"dossiers": len(states), "meetings": 2, "decisions": 1}
