"""Documents of the commendation app: the award decision with its annex list and reward amounts
(Quyết định khen thưởng kèm danh sách), the council minutes with the ballot results (Biên bản họp
Hội đồng Thi đua - Khen thưởng), and the certificates of an issued decision printed onto the office's
pre-printed blanks (bằng khen, giấy khen), one page per awardee, at the positions of a
CertificateLayout — plus the calibration test page of a layout.

The data functions read plain values in a fixed number of queries whatever the number of awardees;
the papers are Vietnamese whatever the requester's language (official documents), so their words
are written here and in templates/documents/commendations/, not taken from the UI catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from commendations.council import vote_passes
from commendations.enums import (
    Attendance,
    AwardCategory,
    AwardKind,
    DecisionState,
    DossierState,
    MeetingState,
    NomineeState,
)
from commendations.models import (
    AwardRule,
    Ballot,
    BaseSalary,
    CertificateLayout,
    CertificateLayoutAward,
    CouncilMeeting,
    Decision,
    DecisionLine,
    Dossier,
    MeetingMember,
    Nominee,
)
from portal.documents import Document, DocumentError, register_document
from portal.documents.forms import ReportParamsForm
from portal.enums import Gender, UnitKind
from portal.models import Unit
from portal.templatetags.documents import format_vn_number, vn_long_date, vn_short_date
from portal.text import fold

DECISION = "commendations.decision"
COUNCIL_MINUTES = "commendations.council_minutes"
CERTIFICATES = "commendations.certificates"

DEFAULT_MINISTRY = "Bộ Tư pháp"
HUNDRED = Decimal(100)


# --- Shared words --------------------------------------------------------------------------------------


def _int_param(params: dict | None, name: str) -> int | None:
    try:
        return int((params or {})[name])
    except (KeyError, TypeError, ValueError):
        return None


def ministry_name() -> str:
    """The ministry at the root of the organisation ("Bộ Tư pháp"), one query."""
    name = (
        Unit.objects.filter(parent__isnull=True, kind=UnitKind.MINISTRY).order_by("sort_key", "pk")
        .values_list("name", flat=True).first()
    )
    return name or DEFAULT_MINISTRY


def upper(text: str) -> str:
    return (text or "").upper()


def signer_lines(signer_title: str, *, minister: str = "BỘ TRƯỞNG") -> tuple[str, str]:
    """(authority, position) of the signature block: a deputy signs "KT. BỘ TRƯỞNG" over
    "THỨ TRƯỞNG" (NĐ 30/2020, ký thay); the minister signs "BỘ TRƯỞNG" alone. A title typed on two
    lines ("KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG") or starting with KT./TM./Q. is taken as typed."""
    lines = [line.strip() for line in (signer_title or "").splitlines() if line.strip()]
    if len(lines) >= 2:
        return upper(lines[0]), upper(" ".join(lines[1:]))
    title = lines[0] if lines else ""
    folded = fold(title)
    if not title:
        return "", minister
    if folded.startswith(("kt.", "kt ", "tm.", "tm ", "q.", "tl.", "tuq.")):
        return "", upper(title)
    if "thu truong" in folded:
        return f"KT. {minister}", upper(title)
    return "", upper(title)


def salutation(gender: str) -> str:
    return {Gender.MALE: "Ông", Gender.FEMALE: "Bà"}.get(gender, "")


def unit_label(unit: Unit) -> str:
    """A unit as the papers name it: a division with the body above it ("Văn phòng Sở, Sở Tư pháp
    Hà Nội"); a unit right under the ministry alone. Needs unit.parent selected."""
    parent = unit.parent if unit.parent_id else None
    if parent is None or parent.parent_id is None:
        return unit.name
    return f"{unit.name}, {parent.name}"


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _three_digits(number: int, *, full: bool) -> list[str]:
    """Read 0-999; ``full`` reads "không trăm" (a group after a higher one: 1.005.000)."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def number_in_words(number: int) -> str:
    """Vietnamese reading of a whole number: 11700000 -> "mười một triệu bảy trăm nghìn"."""
    if number == 0:
        return "không"
    if number < 0:
        return f"âm {number_in_words(-number)}"
    billions, rest = divmod(number, 1_000_000_000)
    words: list[str] = []
    if billions:
        words.append(number_in_words(billions))
        words.append("tỷ")
    groups = (rest // 1_000_000, rest // 1000 % 1000, rest % 1000)
    scales = ("triệu", "nghìn", "")
    started = bool(billions)
    for value, scale in zip(groups, scales, strict=True):
        if value:
            words += _three_digits(value, full=started)
            if scale:
                words.append(scale)
            started = True
    return " ".join(words)


def money_in_words(amount: Decimal | int) -> str:
    """"Mười một triệu bảy trăm nghìn đồng" (bằng chữ, the way a decision writes an amount)."""
    text = number_in_words(int(Decimal(amount).quantize(Decimal(1), ROUND_HALF_UP)))
    return f"{text[:1].upper()}{text[1:]} đồng"


def two_digits(count: int) -> str:
    """Counts in a decision are written with two digits ("05 cá nhân")."""
    return f"{count:02d}"


def _cell(value: Any) -> Any:
    """A value as openpyxl stores it: no control characters, and text never becomes a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            value = f"'{value}"
    return value


def _sheet(workbook: Workbook, title: str, heading: list[str], columns: list[tuple[str, int]]):
    sheet = workbook.active
    sheet.title = title
    for line in heading:
        sheet.append([_cell(line)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([name for name, _width in columns])
    header_row = sheet.max_row
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.cell(row=header_row, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


# --- The award decision and its annex list ---------------------------------------------------------------


@dataclass(frozen=True)
class Awardee:
    """One line of the annex list (and one certificate)."""

    number: int
    nominee_id: int
    name: str
    salutation: str  # "Ông"/"Bà" for a person, "" for a collective
    is_collective: bool
    position: str  # a person's position ("Chuyên viên"), "" for a collective
    unit: str  # the person's unit, or the collective's body above it
    award_id: int
    award_code: str
    award_name: str
    award_is_title: bool
    year: int
    kind: str
    reward_multiple: Decimal
    amount: Decimal

    @property
    def position_and_unit(self) -> str:
        return ", ".join(part for part in (self.position, self.unit) if part)

    @property
    def recipient(self) -> str:
        return f"{self.salutation} {self.name}" if self.salutation else self.name


@dataclass(frozen=True)
class Rate:
    """A reward multiple within an award group: count × (multiple × base salary) = subtotal."""

    multiple: Decimal
    each: Decimal
    count: int
    subtotal: Decimal

    @property
    def count_text(self) -> str:
        return two_digits(self.count)


@dataclass(frozen=True)
class AwardGroup:
    number: int
    award_name: str
    award_code: str
    is_title: bool
    lines: tuple[Awardee, ...]
    persons: int
    collectives: int
    years: tuple[int, ...]
    kinds: tuple[str, ...]
    rates: tuple[Rate, ...]
    subtotal: Decimal

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def who(self) -> str:
        """"02 tập thể và 05 cá nhân"."""
        parts = []
        if self.collectives:
            parts.append(f"{two_digits(self.collectives)} tập thể")
        if self.persons:
            parts.append(f"{two_digits(self.persons)} cá nhân")
        return " và ".join(parts)

    @property
    def roman_number(self) -> str:
        return roman(self.number)

    @property
    def year_text(self) -> str:
        return ", ".join(str(year) for year in self.years)

    @property
    def article_text(self) -> str:
        """The group's sentence of Điều 1."""
        merit = set(self.kinds) == {AwardKind.MERIT}
        if self.is_title:
            year = f" năm {self.year_text}" if self.years else ""
            return f"Tặng danh hiệu “{self.award_name}”{year} cho {self.who} có tên trong danh sách kèm theo."
        if merit and self.years:
            reason = f", đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm {self.year_text}"
        elif AwardKind.AD_HOC in self.kinds:
            reason = ", đã có thành tích xuất sắc đột xuất"
        else:
            reason = ", đã có thành tích xuất sắc"
        return f"Tặng {self.award_name} cho {self.who} có tên trong danh sách kèm theo{reason}."


@dataclass(frozen=True)
class DecisionPaper:
    decision_id: int
    number: str
    signed_on: date
    signer: str
    signer_title: str
    authority: str
    position: str
    is_draft: bool
    ministry: str
    base_salary: Decimal
    base_salary_basis: str
    legal_bases: tuple[str, ...]
    meetings: tuple[date, ...]
    groups: tuple[AwardGroup, ...]
    lines: tuple[Awardee, ...]
    total: Decimal

    @property
    def total_words(self) -> str:
        return money_in_words(self.total)

    @property
    def paid_groups(self) -> tuple[AwardGroup, ...]:
        return tuple(group for group in self.groups if group.subtotal)

    @property
    def excerpt(self) -> str:
        """Trích yếu: "Về việc tặng danh hiệu …" for one award, "Về việc khen thưởng" for several."""
        years = sorted({line.year for line in self.lines})
        year = f" năm {years[0]}" if len(years) == 1 else ""
        if len(self.groups) == 1:
            group = self.groups[0]
            if group.is_title:
                return f"Về việc tặng danh hiệu “{group.award_name}”{year}"
            return f"Về việc tặng {group.award_name}"
        return f"Về việc khen thưởng{year}"


def _legal_basis_rank(code: str) -> int:
    """Laws before decrees before circulars (the order of the "Căn cứ" lines)."""
    for rank, mark in enumerate(("/QH", "/NĐ-CP", "/QĐ-TTG", "/TT-")):
        if mark in code.upper():
            return rank
    return 9


def awardees(lines: list[DecisionLine]) -> list[Awardee]:
    """Plain values of decision lines read with nominee__award, nominee__person__unit__parent,
    nominee__unit__parent and nominee__dossier selected."""
    result = []
    for number, line in enumerate(lines, start=1):
        nominee = line.nominee
        award = nominee.award
        if nominee.person_id:
            person = nominee.person
            name, title, collective = person.full_name, salutation(person.gender), False
            position, unit = person.position, unit_label(person.unit)
        else:
            unit_obj = nominee.unit
            parent = unit_obj.parent if unit_obj.parent_id else None
            name, title, collective = unit_obj.name, "", True
            position, unit = "", (parent.name if parent is not None and parent.parent_id else "")
        result.append(
            Awardee(
                number=number, nominee_id=nominee.pk, name=name, salutation=title, is_collective=collective,
                position=position, unit=unit, award_id=award.pk, award_code=award.code, award_name=award.name,
                award_is_title=award.category == AwardCategory.TITLE, year=nominee.dossier.year,
                kind=nominee.dossier.kind, reward_multiple=Decimal(line.reward_multiple), amount=Decimal(line.amount),
            )
        )
    return result


def _decision_lines(decision: Decision) -> list[DecisionLine]:
    return list(
        DecisionLine.objects.filter(decision=decision)
        .select_related(
            "nominee__award", "nominee__person__unit__parent", "nominee__unit__parent", "nominee__dossier__meeting"
        )
        .order_by("nominee__award__position", "nominee__award__code", "position", "pk")
    )


def award_groups(lines: list[Awardee]) -> list[AwardGroup]:
    """The lines by award, in their order; each award's rates (multiple × base salary) and subtotal."""
    by_award: dict[int, list[Awardee]] = defaultdict(list)
    for line in lines:
        by_award[line.award_id].append(line)
    groups = []
    for number, members in enumerate(by_award.values(), start=1):
        rates: dict[Decimal, list[Awardee]] = defaultdict(list)
        for line in members:
            rates[line.reward_multiple].append(line)
        first = members[0]
        groups.append(
            AwardGroup(
                number=number, award_name=first.award_name, award_code=first.award_code,
                is_title=first.award_is_title, lines=tuple(members),
                persons=sum(1 for line in members if not line.is_collective),
                collectives=sum(1 for line in members if line.is_collective),
                years=tuple(sorted({line.year for line in members})),
                kinds=tuple(sorted({line.kind for line in members})),
                rates=tuple(
                    Rate(multiple=multiple, each=rated[0].amount, count=len(rated),
                         subtotal=sum((line.amount for line in rated), Decimal(0)))
                    for multiple, rated in rates.items() if multiple
                ),
                subtotal=sum((line.amount for line in members), Decimal(0)),
            )
        )
    return groups


def decision_paper(decision_id: int | None) -> DecisionPaper:
    """Everything the decision prints, in 5 queries: the decision, its lines (nominee, award, person
    or collective with their units, dossier and meeting), the award rules in force on the signing
    date with their legal bases, the base salary's own legal basis, the ministry's name. The lines
    are grouped by award (the catalogue's order) and numbered through, as in the annex list."""
    decision = Decision.objects.filter(pk=decision_id).first() if decision_id else None
    if decision is None:
        raise DocumentError(gettext("This decision no longer exists."))
    lines = _decision_lines(decision)
    if not lines:
        raise DocumentError(gettext("The decision %(number)s has no awardee yet.") % {"number": decision.number})
    rows = awardees(lines)
    award_ids = {row.award_id for row in rows}
    on = decision.signed_on
    bases = {}
    for rule in (
        AwardRule.objects.filter(award_id__in=award_ids, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .select_related("legal_basis")
    ):
        basis = rule.legal_basis
        if basis.effective_from <= on and (basis.effective_to is None or basis.effective_to >= on):
            bases[basis.code] = basis
    legal_bases = tuple(
        basis.title for basis in sorted(bases.values(), key=lambda b: (_legal_basis_rank(b.code), b.effective_from, b.code))
    )
    base_row = BaseSalary.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    base = Decimal(decision.base_salary or (base_row.amount if base_row else 0))
    meetings = sorted(
        {line.nominee.dossier.meeting.held_on for line in lines if line.nominee.dossier.meeting_id}
    )
    authority, position = signer_lines(decision.signer_title)
    groups = award_groups(rows)
    # The lines come ordered by award, so the groups keep the annex's running numbers.
    ordered = [line for group in groups for line in group.lines]
    return DecisionPaper(
        decision_id=decision.pk, number=decision.number, signed_on=on, signer=decision.signer,
        signer_title=decision.signer_title, authority=authority, position=position,
        is_draft=decision.state == DecisionState.DRAFT, ministry=ministry_name(), base_salary=base,
        base_salary_basis=base_row.legal_basis if base_row and base_row.amount == base else "",
        legal_bases=legal_bases, meetings=tuple(meetings), groups=tuple(groups), lines=tuple(ordered),
        total=sum((line.amount for line in rows), Decimal(0)),
    )


def may_print_decision(user, params: dict | None) -> bool:
    """Council members and officers (commendations.view_decisions) print issued decisions; a draft
    only those who prepare decisions (commendations.manage_decisions)."""
    if params is None:
        return user.has_perm("commendations.view_decisions")
    state = Decision.objects.filter(pk=_int_param(params, "decision")).values_list("state", flat=True).first()
    if state == DecisionState.DRAFT:
        return user.has_perm("commendations.manage_decisions")
    return user.has_perm("commendations.view_decisions")


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, decision: Decision) -> str:
        label = f"{decision.number} – {decision.signed_on:%d/%m/%Y}"
        if decision.state == DecisionState.DRAFT:
            label = f"{label} ({gettext('draft')})"
        return label


def decisions_printable_by(user):
    decisions = Decision.objects.order_by("-signed_on", "-pk")
    if user is not None and user.has_perm("commendations.manage_decisions"):
        return decisions
    return decisions.filter(state=DecisionState.ISSUED)


class DecisionParamsForm(ReportParamsForm):
    """Which decision: issued ones, and drafts for those who prepare decisions."""

    decision = DecisionChoiceField(label=gettext_lazy("Decision"), queryset=Decision.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["decision"].queryset = decisions_printable_by(user)


def build_decision(params: dict, user, progress) -> Document:
    paper = decision_paper(_int_param(params, "decision"))
    progress(100)
    return Document(
        template_name="documents/commendations/decision.html",
        context={
            "paper": paper,
            "issuer_parent": upper(paper.ministry),
            "number": paper.number,
            "issued_on": paper.signed_on,
            "title": "Quyết định",
            "subtitle": paper.excerpt,
            "signer_authority": paper.authority,
            "signer_position": paper.position,
            "signer_name": paper.signer,
            "recipients": ["Như Điều 3;", "Lưu: VT, TĐKT."],
            "minister": f"BỘ TRƯỞNG {upper(paper.ministry)}",
        },
        title=f"Quyết định khen thưởng {paper.number}",
        filename=f"quyet-dinh-{slugify(fold(paper.number).replace('/', '-'))}",
    )


DECISION_COLUMNS = [
    ("STT", 6), ("Họ và tên / Tập thể", 32), ("Chức vụ, đơn vị", 44), ("Danh hiệu, hình thức khen thưởng", 34),
    ("Năm", 8), ("Hệ số", 8), ("Số tiền (đồng)", 16),
]


def decision_workbook(params: dict, user) -> Workbook:
    """The annex list as a workbook (amounts as numbers, the total as a formula-free figure)."""
    paper = decision_paper(_int_param(params, "decision"))
    workbook = Workbook()
    sheet = _sheet(
        workbook, "Danh sách",
        ["DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG",
         f"Kèm theo Quyết định số {paper.number} ngày {vn_short_date(paper.signed_on)}",
         f"Mức lương cơ sở: {format_vn_number(paper.base_salary, 0)} đồng"],
        DECISION_COLUMNS,
    )
    for line in paper.lines:
        sheet.append([line.number, _cell(line.recipient), _cell(line.position_and_unit), _cell(line.award_name),
                      line.year, float(line.reward_multiple), int(line.amount)])
    sheet.append([None, "Tổng cộng", None, None, None, None, int(paper.total)])
    sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)
    sheet.cell(row=sheet.max_row, column=7).font = Font(bold=True)
    return workbook


# --- The council minutes ---------------------------------------------------------------------------------

ATTENDANCE_WORDS = {
    Attendance.PRESENT: "Có mặt",
    Attendance.WRITTEN: "Vắng mặt, có phiếu bằng văn bản",
    Attendance.ABSENT: "Vắng mặt",
}
VOTED_STATES = (NomineeState.ACCEPTED, NomineeState.PASSED, NomineeState.FAILED, NomineeState.AWARDED)


def percent_text(value: Decimal) -> str:
    return f"{format_vn_number(value)}%"


@dataclass(frozen=True)
class BallotRow:
    number: int
    name: str
    award_name: str
    voted: bool
    favour_room: int = 0
    favour_written: int = 0
    against: int = 0
    abstain: int = 0
    members_total: int = 0
    pass_mark: Decimal = Decimal(0)
    passed: bool | None = None

    @property
    def favour(self) -> int:
        return self.favour_room + self.favour_written

    @property
    def share(self) -> Decimal:
        """In-favour votes over ALL members, one decimal; never rounded up onto a mark it misses
        (8/9 = 88.9 %, and 89.96 % shows 89.9 % against 90 %)."""
        if not self.members_total:
            return Decimal(0)
        exact = Decimal(self.favour) * HUNDRED / self.members_total
        shown = exact.quantize(Decimal("0.1"), ROUND_HALF_UP)
        threshold = self.pass_mark or Decimal(50)
        if not self.reaches and shown >= threshold:
            shown = exact.quantize(Decimal("0.1"), ROUND_DOWN)
        return shown

    @property
    def reaches(self) -> bool:
        return vote_passes(self.favour, self.members_total, self.pass_mark)

    @property
    def mark_text(self) -> str:
        return percent_text(self.pass_mark) if self.pass_mark else "Quá 50%"

    @property
    def arithmetic(self) -> str:
        """"8/9 = 88,9% < 90%": in-favour votes over all members against the pass mark."""
        if not self.voted:
            return ""
        if not self.members_total:
            return "Chưa có thành viên Hội đồng"
        share = f"{self.favour}/{self.members_total} = {percent_text(self.share)}"
        if not self.pass_mark:
            return f"{share} {'>' if self.reaches else '≤'} 50%"
        return f"{share} {'≥' if self.reaches else '<'} {percent_text(self.pass_mark)}"

    @property
    def result(self) -> str:
        if not self.voted:
            return "Chưa bỏ phiếu"
        return "Đạt" if self.passed else "Không đạt"


@dataclass(frozen=True)
class DossierBallots:
    title: str
    unit: str
    rows: tuple[BallotRow, ...]


@dataclass(frozen=True)
class MemberRow:
    name: str
    position: str
    attendance: str


@dataclass(frozen=True)
class MinutesPaper:
    meeting_id: int
    title: str
    held_on: date
    place: str
    chair: str
    secretary: str
    is_open: bool
    ministry: str
    members: tuple[MemberRow, ...]
    present: int
    written: int
    absent: int
    dossiers: tuple[DossierBallots, ...]

    @property
    def total(self) -> int:
        return len(self.members)

    @property
    def rows(self) -> list[BallotRow]:
        return [row for dossier in self.dossiers for row in dossier.rows]

    @property
    def passed(self) -> int:
        return sum(1 for row in self.rows if row.voted and row.passed)

    @property
    def failed(self) -> int:
        return sum(1 for row in self.rows if row.voted and not row.passed)

    @property
    def unvoted(self) -> int:
        return sum(1 for row in self.rows if not row.voted)


def _person_name(user) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


def minutes_paper(meeting_id: int | None) -> MinutesPaper:
    """What the minutes print, in 5 queries (meeting, members with their people, dossiers, their
    nominees that went to the vote, the ballots) + the ministry's name. A nominee is listed when it
    has a ballot, or is still waiting for one (accepted); the rest were not voted on."""
    meeting = CouncilMeeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        raise DocumentError(gettext("This council meeting no longer exists."))
    members = list(MeetingMember.objects.filter(meeting=meeting).select_related("user__person").order_by("pk"))
    dossiers = list(
        Dossier.objects.filter(meeting=meeting)
        .exclude(state__in=[DossierState.DRAFT, DossierState.SUBMITTED])
        .select_related("unit")
        .order_by("unit__sort_key", "pk")
    )
    nominees = list(
        Nominee.objects.filter(dossier__in=[dossier.pk for dossier in dossiers], state__in=VOTED_STATES)
        .select_related("award", "person", "unit")
        .order_by("position", "pk")
    )
    ballots = {ballot.nominee_id: ballot for ballot in Ballot.objects.filter(meeting=meeting)}
    by_dossier: dict[int, list[Nominee]] = defaultdict(list)
    for nominee in nominees:
        if nominee.pk in ballots or nominee.state == NomineeState.ACCEPTED:
            by_dossier[nominee.dossier_id].append(nominee)
    number = 0
    groups = []
    for dossier in dossiers:
        rows = []
        for nominee in by_dossier[dossier.pk]:
            number += 1
            name = nominee.person.full_name if nominee.person_id else nominee.unit.name
            ballot = ballots.get(nominee.pk)
            if ballot is None:
                rows.append(BallotRow(number=number, name=name, award_name=nominee.award.name, voted=False))
                continue
            rows.append(
                BallotRow(
                    number=number, name=name, award_name=nominee.award.name, voted=True,
                    favour_room=ballot.in_favour, favour_written=ballot.written_in_favour,
                    against=ballot.against + ballot.written_against, abstain=ballot.abstain + ballot.written_abstain,
                    members_total=ballot.members_total, pass_mark=Decimal(ballot.pass_mark_percent),
                    passed=ballot.passed,
                )
            )
        groups.append(DossierBallots(title=dossier.title, unit=dossier.unit.name, rows=tuple(rows)))
    counts = defaultdict(int)
    for member in members:
        counts[member.attendance] += 1
    return MinutesPaper(
        meeting_id=meeting.pk, title=meeting.title, held_on=meeting.held_on, place=meeting.place,
        chair=meeting.chair, secretary=meeting.secretary, is_open=meeting.state == MeetingState.OPEN,
        ministry=ministry_name(),
        members=tuple(
            MemberRow(
                name=_person_name(member.user),
                position=getattr(getattr(member.user, "person", None), "position", "") or "",
                attendance=ATTENDANCE_WORDS.get(member.attendance, member.attendance),
            )
            for member in members
        ),
        present=counts[Attendance.PRESENT], written=counts[Attendance.WRITTEN], absent=counts[Attendance.ABSENT],
        dossiers=tuple(groups),
    )


class MeetingParamsForm(ReportParamsForm):
    meeting = forms.ModelChoiceField(label=gettext_lazy("Council meeting"), queryset=CouncilMeeting.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["meeting"].queryset = CouncilMeeting.objects.order_by("-held_on", "-pk")
        self.fields["meeting"].label_from_instance = lambda meeting: f"{meeting.title} – {meeting.held_on:%d/%m/%Y}"


def build_council_minutes(params: dict, user, progress) -> Document:
    paper = minutes_paper(_int_param(params, "meeting"))
    progress(100)
    return Document(
        template_name="documents/commendations/council_minutes.html",
        context={
            "paper": paper,
            "issuer_parent": upper(paper.ministry),
            "issuer": "Hội đồng Thi đua - Khen thưởng",
            "issued_on": paper.held_on,
            "title": "Biên bản",
            "subtitle": f"Họp Hội đồng Thi đua - Khen thưởng: {paper.title}",
        },
        title=f"Biên bản họp Hội đồng – {paper.title}",
        filename=f"bien-ban-hoi-dong-{paper.held_on:%Y-%m-%d}-{slugify(fold(paper.title))[:50]}",
    )


MINUTES_COLUMNS = [
    ("STT", 6), ("Hồ sơ", 30), ("Tập thể, cá nhân", 28), ("Danh hiệu, hình thức", 30), ("Tán thành tại họp", 10),
    ("Tán thành bằng văn bản", 10), ("Tổng tán thành", 10), ("Không tán thành", 10), ("Không ý kiến", 10),
    ("Tổng số thành viên", 10), ("Mức đạt (%)", 10), ("Tỷ lệ tán thành (%)", 10), ("Kết quả", 14),
]


def council_minutes_workbook(params: dict, user) -> Workbook:
    paper = minutes_paper(_int_param(params, "meeting"))
    workbook = Workbook()
    sheet = _sheet(
        workbook, "Kết quả bỏ phiếu",
        [f"KẾT QUẢ BỎ PHIẾU – {paper.title}", f"Ngày họp: {vn_short_date(paper.held_on)}",
         f"Tổng số thành viên Hội đồng: {paper.total}"],
        MINUTES_COLUMNS,
    )
    for dossier in paper.dossiers:
        for row in dossier.rows:
            numbers = (
                [row.favour_room, row.favour_written, row.favour, row.against, row.abstain, row.members_total,
                 float(row.pass_mark) if row.pass_mark else None, float(row.share)]
                if row.voted else [None] * 8
            )
            sheet.append([row.number, _cell(dossier.title), _cell(row.name), _cell(row.award_name), *numbers, row.result])
    return workbook


def may_print_minutes(user, params: dict | None) -> bool:
    return user.has_perm("commendations.view_meetings")


# --- Certificates on pre-printed blanks ------------------------------------------------------------------

PT_TO_MM = Decimal("0.3528")


def _mm(value) -> str:
    """A length for CSS/SVG: always a point as decimal mark, whatever the language."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), ROUND_HALF_UP)}"


@dataclass(frozen=True)
class PlacedField:
    key: str
    text: str
    x: str  # mm, after the layout's shift
    y: str
    width: str
    font_size: str
    align: str
    bold: bool
    italic: bool
    box_height: str  # mm, one line of the font (the test page draws it)

    @property
    def style(self) -> str:
        return (
            f"left: {self.x}mm; top: {self.y}mm; width: {self.width}mm; font-size: {self.font_size}pt; "
            f"text-align: {self.align}; font-weight: {'bold' if self.bold else 'normal'}; "
            f"font-style: {'italic' if self.italic else 'normal'}"
        )


@dataclass(frozen=True)
class Sheet:
    page_name: str  # the CSS named page of its blank type (size, no margins)
    width: int  # mm
    height: int
    fields: tuple[PlacedField, ...]


def placed_fields(layout: CertificateLayout, values: dict[str, str]) -> tuple[PlacedField, ...]:
    """The layout's printed fields with their text, shifted by the printer's offset."""
    offset_x, offset_y = Decimal(str(layout.offset_x or 0)), Decimal(str(layout.offset_y or 0))
    placed = []
    for field in layout.fields:
        if not isinstance(field, dict) or not field.get("enabled", True):
            continue
        key = field.get("key")
        size = Decimal(str(field.get("font_size", 12)))
        placed.append(
            PlacedField(
                key=key, text=values.get(key, ""),
                x=_mm(Decimal(str(field.get("x", 0))) + offset_x), y=_mm(Decimal(str(field.get("y", 0))) + offset_y),
                width=_mm(field.get("width", 100)), font_size=_mm(size), align=field.get("align", "left"),
                bold=bool(field.get("bold")), italic=bool(field.get("italic")),
                box_height=_mm(size * PT_TO_MM * Decimal("1.25")),
            )
        )
    return tuple(placed)


def page_name(layout: CertificateLayout) -> str:
    return f"blank-{layout.pk or 'new'}"


def sheet_for(layout: CertificateLayout, values: dict[str, str]) -> Sheet:
    width, height = layout.page_mm
    return Sheet(page_name=page_name(layout), width=width, height=height, fields=placed_fields(layout, values))


def certificate_values(awardee: Awardee, layout: CertificateLayout, *, number: str, signed_on: date,
                       signer: str, signer_title: str) -> dict[str, str]:
    """The texts of one certificate, keyed like CERTIFICATE_FIELDS."""
    authority, position = signer_lines(signer_title)
    return {
        "recipient": awardee.recipient,
        "position": awardee.position_and_unit,
        "achievement": fill_achievement(layout.achievement_text, award=awardee.award_name, year=awardee.year),
        "decision": f"Quyết định số {number} ngày {vn_short_date(signed_on)}",
        "place_date": f"{layout.place}, {vn_long_date(signed_on)}",
        "signer_title": "\n".join(part for part in (authority, position) if part),
        "signer_name": signer,
    }


def fill_achievement(text: str, *, award: str, year: int | str) -> str:
    try:
        return text.format(award=award, year=year)
    except (KeyError, IndexError, ValueError):
        return text


def parse_numbers(text: str) -> list[int]:
    """"1, 3, 5-7" -> [1, 3, 5, 6, 7]; ValueError on anything else."""
    numbers: list[int] = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        start, end = int(low), int(high) if dash else int(low)
        if start < 1 or end < start or end - start > 10000:
            raise ValueError(part)
        numbers.extend(range(start, end + 1))
    return sorted(set(numbers))


def certificates_paper(decision_id: int | None, only: str = "") -> tuple[Decision, list[Sheet], list[CertificateLayout]]:
    """One sheet per awardee of an issued decision, on its award's blank, in 3 queries (decision,
    lines, layouts of the awards). Refused with a clear message for a draft, an award without a
    blank, or numbers outside the list."""
    decision = Decision.objects.filter(pk=decision_id).first() if decision_id else None
    if decision is None:
        raise DocumentError(gettext("This decision no longer exists."))
    if decision.state != DecisionState.ISSUED:
        raise DocumentError(
            gettext("The decision %(number)s is not issued yet; certificates are printed for issued decisions only.")
            % {"number": decision.number}
        )
    rows = awardees(_decision_lines(decision))  # numbered as in the annex list
    if only:
        try:
            wanted = set(parse_numbers(only))
        except ValueError:
            raise DocumentError(gettext("Write the numbers of the list like 1, 3, 5-7.")) from None
        missing = sorted(number for number in wanted if number > len(rows))
        if missing:
            raise DocumentError(
                gettext("The decision lists %(count)s awardees; there is no number %(numbers)s.")
                % {"count": len(rows), "numbers": ", ".join(str(n) for n in missing)}
            )
        rows = [line for line in rows if line.number in wanted]
    links = {
        link.award_id: link.layout
        for link in CertificateLayoutAward.objects.filter(award_id__in={line.award_id for line in rows}).select_related("layout")
    }
    without = sorted({line.award_name for line in rows if line.award_id not in links or not links[line.award_id].is_active})
    if without:
        raise DocumentError(
            gettext("No certificate blank is set for %(awards)s. An officer links the award to a blank type on the "
                    "certificate calibration page.") % {"awards": ", ".join(without)}
        )
    sheets = [
        sheet_for(links[line.award_id], certificate_values(
            line, links[line.award_id], number=decision.number, signed_on=decision.signed_on,
            signer=decision.signer, signer_title=decision.signer_title,
        ))
        for line in rows
    ]
    layouts = list({layout.pk: layout for layout in links.values()}.values())
    return decision, sheets, layouts


def page_rules(layouts: list[CertificateLayout]) -> list[dict[str, Any]]:
    return [{"name": page_name(layout), "width": layout.page_mm[0], "height": layout.page_mm[1]} for layout in layouts]


def may_print_certificates(user, params: dict | None) -> bool:
    """Printing on the blanks is the emulation office's job (commendations.manage_decisions)."""
    return user.has_perm("commendations.manage_decisions")


class CertificatesParamsForm(ReportParamsForm):
    decision = DecisionChoiceField(label=gettext_lazy("Issued decision"), queryset=Decision.objects.none())
    only = forms.CharField(
        label=gettext_lazy("Only these numbers of the list"), required=False, max_length=200,
        help_text=gettext_lazy("For reprinting spoiled blanks, e.g. 1, 3, 5-7. Empty: every awardee."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["decision"].queryset = Decision.objects.filter(state=DecisionState.ISSUED).order_by(
            "-signed_on", "-pk"
        )

    def clean_only(self) -> str:
        text = self.cleaned_data.get("only", "").strip()
        try:
            parse_numbers(text)
        except ValueError:
            raise forms.ValidationError(gettext("Write the numbers of the list like 1, 3, 5-7."), code="numbers") from None
        return text

    def clean(self):
        cleaned = super().clean()
        decision, only = cleaned.get("decision"), cleaned.get("only")
        if decision is not None and only:
            count = decision.lines.count()
            beyond = [number for number in parse_numbers(only) if number > count]
            if beyond:
                self.add_error("only", gettext("The decision lists %(count)s awardees; there is no number %(numbers)s.")
                               % {"count": count, "numbers": ", ".join(str(n) for n in beyond)})
        return cleaned


def build_certificates(params: dict, user, progress) -> Document:
    decision, sheets, layouts = certificates_paper(_int_param(params, "decision"), str(params.get("only") or ""))
    progress(100)
    return Document(
        template_name="documents/commendations/certificates.html",
        context={"sheets": sheets, "pages": page_rules(layouts), "grid": None},
        title=f"Bằng khen, giấy khen – Quyết định {decision.number}",
        filename=f"bang-khen-{slugify(fold(decision.number).replace('/', '-'))}",
    )


# --- The calibration test page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A millimetre grid over the whole sheet (a line every 5 mm, stronger every 10 mm, numbered
    every 10 mm) and a crosshair with the text box of every field, to hold against a blank."""

    width: int
    height: int
    verticals: tuple[tuple[int, bool], ...]  # (x mm, major)
    horizontals: tuple[tuple[int, bool], ...]
    boxes: tuple[PlacedField, ...]


def sample_values(layout: CertificateLayout, *, today: date, award_name: str = "") -> dict[str, str]:
    """Texts as long as real ones, so the test page shows where lines wrap."""
    return {
        "recipient": "Ông Nguyễn Văn Mẫu",
        "position": "Chuyên viên chính, Văn phòng Sở, Sở Tư pháp thành phố Hà Nội",
        "achievement": fill_achievement(layout.achievement_text, award=award_name or layout.name, year=today.year),
        "decision": f"Quyết định số 1234/QĐ-BTP ngày {vn_short_date(today)}",
        "place_date": f"{layout.place}, {vn_long_date(today)}",
        "signer_title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG",
        "signer_name": "Nguyễn Văn Ký",
    }


def calibration_page_document(layout: CertificateLayout, *, today: date | None = None, award_name: str = "") -> Document:
    """One page: the sample texts at the layout's positions over a millimetre grid. ``layout`` may be
    unsaved (the calibration form's typed values, printed before saving)."""
    today = today or timezone.localdate()
    sheet = sheet_for(layout, sample_values(layout, today=today, award_name=award_name))
    grid = Grid(
        width=sheet.width, height=sheet.height,
        verticals=tuple((x, x % 10 == 0) for x in range(0, sheet.width + 1, 5)),
        horizontals=tuple((y, y % 10 == 0) for y in range(0, sheet.height + 1, 5)),
        boxes=sheet.fields,
    )
    return Document(
        template_name="documents/commendations/certificates.html",
        context={
            "sheets": [sheet],
            "pages": page_rules([layout]),
            "grid": grid,
            "layout_label": f"{layout.name} – {layout.paper} "
                            f"{'ngang' if layout.orientation == CertificateLayout.Orientation.LANDSCAPE else 'dọc'}"
                            f" ({sheet.width} × {sheet.height} mm), dịch phải {_mm(layout.offset_x or 0)} mm, "
                            f"dịch xuống {_mm(layout.offset_y or 0)} mm",
        },
        title=f"Trang in thử – {layout.name}",
        filename=f"in-thu-{slugify(fold(layout.name))[:60] or 'phoi'}",
    )


register_document(
    DECISION,
    label=gettext_lazy("Award decision with its list"),
    description=gettext_lazy("Quyết định khen thưởng: the decision, the list of awardees and the reward amounts."),
    permission=may_print_decision,
    build=build_decision,
    excel=decision_workbook,
    params_form=DecisionParamsForm,
)
register_document(
    COUNCIL_MINUTES,
    label=gettext_lazy("Council meeting minutes"),
    description=gettext_lazy("Biên bản: attendance and the ballot result of each nominee against the pass mark."),
    permission=may_print_minutes,
    build=build_council_minutes,
    excel=council_minutes_workbook,
    params_form=MeetingParamsForm,
)
register_document(
    CERTIFICATES,
    label=gettext_lazy("Certificates of a decision"),
    description=gettext_lazy("Bằng khen, giấy khen printed onto the pre-printed blanks, one page per awardee."),
    permission=may_print_certificates,
    build=build_certificates,
    params_form=CertificatesParamsForm,
)

# The year-end summary lives in its own module; autodiscovery imports only this one.
from commendations import documents_summary  # noqa: E402,F401  (registers "commendations.year_end_summary")
