"""The eligibility engine (xét điều kiện khen thưởng): a nominee's history and an award's rule in; a
verdict out that says, condition by condition, whether the nominee qualifies, with the evidence (which
years, which decision) and the legal article each condition comes from.

Plain Python on purpose: no Django, no settings, no gettext. The Django side turns database rows into
the frozen dataclasses below and renders the message codes in Vietnamese. Rules are data: the rule
types below combine with ``All``/``Any`` into a tree, and an ``AwardRule`` gives a tree the dates it
is in force (``rules_in_force``), so a 2023 nomination is judged by the rules of 2023.
docs/eligibility.md explains the rule types with two worked examples.

Reading of the law (choices the engine makes; see also DOMAIN.md)
------------------------------------------------------------------
* Only the proposal year ``Y`` and earlier count: records after ``Y`` are ignored, so re-judging an
  old year gives the old answer. "Ending at the year" means a window that ends at ``Y``; "previous"
  one that ends at ``Y - 1``.
* Only **merit** awards (``kind == "merit"``) count toward a title or an award a rule asks for;
  campaign, ad-hoc, long-service and foreign awards never do (they are named in the failure's params).
* A person is **rated** in a year when ``months_worked + maternity_months >= 6`` (maternity leave
  counts as time worked; ``months_worked`` excludes it). A year with fewer months has no rating: it
  breaks a rating streak. Two ratings for one year: the lower grade counts. Grade order:
  HTXSNV > HTTNV > HTNV > KHTNV; a collective's ratings may also be written HTXS, HTT, HT, KHT.
  An unknown grade ranks below KHTNV.
* **Holds** (tạm hoãn): a hold is active on the reference date ``on`` when ``start <= on`` and
  (``end`` is None or ``on <= end``). A discipline (kỷ luật) that started on or before ``on`` also
  moves the start of everything that counts: achievements (awards, ratings, initiatives) of years
  before the year its ``end`` falls in are ignored; while it has no end, nothing counts. Investigations
  and complaints only block while active.
* **Initiatives** (sáng kiến): one counts when it is unused (``consumed_by`` empty), of the level asked
  or higher (unit < ministry < national), of a year ``<= Y`` and, with ``within_years=N``, of one of
  the N years ending at ``Y``. Each initiative serves one condition of one award: the conditions of a
  tree pick, in order, the lowest level first, then the oldest, then by id; an initiative picked by an
  earlier condition is "reserved" for the later ones. In an ``Any``, only the first passing branch's
  picks are kept. ``Verdict.consumed_initiatives`` lists what the award would consume if granted.
* **Members** (collectives): ``MemberSummary`` describes the year ``Y``. A share is of all members;
  "all members rated at least R" ignores members not rated that year (``rating`` None) and fails when
  no member was rated. Shares compare exactly (7 of 10 is 70 %, 699 of 1000 is 69.9 %).
* Every condition of a tree is evaluated (no short-circuit), so the explanation is complete. A rule
  without an ``article`` inherits its parent's.
* ``evaluate`` never raises on a well-typed history. A rule tree with problems (``rule_problems``)
  gives an ineligible verdict whose root says ``invalid_rule``.

Message codes (``Check.message_code`` and its ``params``; dates are ISO strings, decimals strings)
----------------------------------------------------------------------------------------------
Common to the window rules: ``from_year``/``to_year`` bound the window; ``counted_from`` is the year
a discipline's end moved the counting to (None when no discipline cut into the window); ``not_merit``
lists years in the window with a non-merit award of the title asked for.

HoldsTitle
  title_streak_met        {"title", "years", "from_year", "to_year"}
  title_streak_short      {"title", "years", "from_year", "to_year", "found" (unbroken run ending at
                           to_year), "missing": [years], "not_merit": [years], "counted_from"}
HoldsTitleTimes
  title_times_met         {"title", "times", "period", "consecutive", "to_year", "years": [award years used]}
  title_times_too_few     {... as above, "years": [all award years counted]} fewer awards than ``times``
  title_times_gap         {..., "years", "gap_after": year} two of the last awards more than ``period`` apart
  title_times_not_recent  {..., "years", "latest": year} the latest award is not in ``to_year``
                          (all three failures also carry "not_merit" and "counted_from")
RatedAtLeast, UnitRatedAtLeast
  rating_streak_met       {"grade", "years", "from_year", "to_year", "since_award", "since_year"}
  rating_streak_short     {... as above, "found" (unbroken run ending at to_year), "missing" (no
                           rating), "not_rated" (under 6 months), "below" (rated lower), "excluded"
                           (years not after since_year or before counted_from), "counted_from"}
  since_award_missing     {"award", "to_year", "not_merit", "counted_from"}   (also TitleCountInWindow)
HasAward
  award_held              {"award", "year"}
  award_missing           {"award", "not_merit": [years], "counted_from"}
TitleCountInWindow
  title_count_met         {"title", "count", "found", "from_year" (None: no lower bound), "to_year",
                           "since_award", "since_year", "years": [years counted], "not_merit",
                           "counted_from"}
  title_count_short       same params
HasInitiative
  initiative_available    {"min_level", "count", "found" (usable), "from_year" (None: no window),
                           "to_year", "ids": [picked]}
  initiative_missing      {... as above, "consumed": [ids already used by an award],
                           "reserved": [ids picked by an earlier condition of this award], "counted_from"}
NotOnHold
  no_active_hold          {"on"}
  on_hold                 {"on", "holds": [{"kind", "start", "end"}]}
ShareOfMembersWithTitle
  member_share_met        {"title", "count", "total", "percent" (2 places, rounded down),
                           "min_percent", "inclusive"}
  member_share_short      same params
  no_members              {"title"}
AllMembersRatedAtLeast
  all_members_rated_met   {"grade", "rated", "not_rated"}
  members_below_grade     {"grade", "rated", "not_rated", "below": [person ids]}
  no_rated_members        {"grade", "total"}
AtLeastOneMemberWithTitle
  member_with_title       {"title", "count"}
  no_member_with_title    {"title"}
LeadsCluster
  cluster_lead            {}
  not_cluster_lead        {}
  no_campaign_result      {}    cluster_lead unknown (None)
ElectedByCluster
  cluster_elected         {}
  not_cluster_elected     {}
  no_election_result      {}    elected unknown (None)
Collective-only rules on a person's history
  not_a_collective        {}
All / Any
  all_met, not_all_met, any_met, none_met     {"passed": int, "total": int}
Root of a verdict that could not be judged (``Check.rule == "AwardRule"``)
  no_rule_in_force        {"award", "on"}
  wrong_subject           {"expected": "person"|"collective", "got": same}
  invalid_rule            {"problems": [{"path", "field", "code"}]}   codes: see ``rule_problems``
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypeVar

__all__ = [
    "AD_HOC",
    "AWARD_KINDS",
    "BKBT",
    "BKTTG",
    "CAMPAIGN",
    "CIRCULAR_BTP",
    "COLLECTIVE",
    "COMPLAINT",
    "COTDBO",
    "COTDCP",
    "CSTDBO",
    "CSTDCS",
    "CSTDTQ",
    "DECREE_2023",
    "DECREE_2025",
    "DISCIPLINE",
    "ENDINGS",
    "ENDING_PREVIOUS",
    "ENDING_YEAR",
    "FOREIGN",
    "GK",
    "GRADES",
    "HOLD_KINDS",
    "HTNV",
    "HTTNV",
    "HTXSNV",
    "INITIATIVE_LEVELS",
    "INVESTIGATION",
    "KHTNV",
    "LAW",
    "LDTT",
    "LONG_SERVICE",
    "MERIT",
    "MINISTRY_LEVEL",
    "MIN_MONTHS_RATED",
    "NATIONAL_LEVEL",
    "PERSON",
    "RULE_TYPES",
    "TTLDTT",
    "TTLDXS",
    "UNIT_LEVEL",
    "All",
    "AllMembersRatedAtLeast",
    "Any",
    "AtLeastOneMemberWithTitle",
    "AwardRecord",
    "AwardRule",
    "Check",
    "ElectedByCluster",
    "HasAward",
    "HasInitiative",
    "History",
    "Hold",
    "HoldsTitle",
    "HoldsTitleTimes",
    "Initiative",
    "LeadsCluster",
    "LegalBasis",
    "MemberSummary",
    "NotOnHold",
    "PersonHistory",
    "Problem",
    "RatedAtLeast",
    "Rating",
    "Rule",
    "ShareOfMembersWithTitle",
    "TitleCountInWindow",
    "UnitHistory",
    "UnitRatedAtLeast",
    "Verdict",
    "default_legal_bases",
    "default_rule_set",
    "evaluate",
    "evaluate_in_force",
    "evaluate_many",
    "no_rule_verdict",
    "rule_from_data",
    "rule_problems",
    "rule_to_data",
    "rules_in_force",
]

# Kinds of commendation (loại hình khen thưởng); only merit ones count toward later merit awards.
MERIT, CAMPAIGN, AD_HOC, LONG_SERVICE, FOREIGN = "merit", "campaign", "ad_hoc", "long_service", "foreign"
AWARD_KINDS = frozenset({MERIT, CAMPAIGN, AD_HOC, LONG_SERVICE, FOREIGN})

# Annual ratings (xếp loại chất lượng), best first.
HTXSNV, HTTNV, HTNV, KHTNV = "HTXSNV", "HTTNV", "HTNV", "KHTNV"
GRADES = (HTXSNV, HTTNV, HTNV, KHTNV)
_GRADE_RANK = {HTXSNV: 4, HTTNV: 3, HTNV: 2, KHTNV: 1, "HTXS": 4, "HTT": 3, "HT": 2, "KHT": 1}
MIN_MONTHS_RATED = 6

UNIT_LEVEL, MINISTRY_LEVEL, NATIONAL_LEVEL = "unit", "ministry", "national"
INITIATIVE_LEVELS = (UNIT_LEVEL, MINISTRY_LEVEL, NATIONAL_LEVEL)
_LEVEL_RANK = {UNIT_LEVEL: 1, MINISTRY_LEVEL: 2, NATIONAL_LEVEL: 3}

DISCIPLINE, INVESTIGATION, COMPLAINT = "discipline", "investigation", "complaint"
HOLD_KINDS = frozenset({DISCIPLINE, INVESTIGATION, COMPLAINT})

ENDING_YEAR, ENDING_PREVIOUS = "year", "previous"
ENDINGS = frozenset({ENDING_YEAR, ENDING_PREVIOUS})

PERSON, COLLECTIVE = "person", "collective"

# Award codes of the default catalogue (danh hiệu thi đua and hình thức khen thưởng).
LDTT = "LDTT"  # Lao động tiên tiến
CSTDCS = "CSTDCS"  # Chiến sĩ thi đua cơ sở
CSTDBO = "CSTDBO"  # Chiến sĩ thi đua cấp Bộ ("Chiến sĩ thi đua ngành Tư pháp")
CSTDTQ = "CSTDTQ"  # Chiến sĩ thi đua toàn quốc
TTLDTT = "TTLDTT"  # Tập thể lao động tiên tiến
TTLDXS = "TTLDXS"  # Tập thể lao động xuất sắc
COTDBO = "COTDBO"  # Cờ thi đua cấp Bộ ("Cờ thi đua ngành Tư pháp")
COTDCP = "COTDCP"  # Cờ thi đua của Chính phủ
GK = "GK"  # Giấy khen
BKBT = "BKBT"  # Bằng khen của Bộ trưởng (Bằng khen cấp Bộ)
BKTTG = "BKTTG"  # Bằng khen của Thủ tướng Chính phủ


# --- History in ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwardRecord:
    """One award a nominee received (khen thưởng đã nhận): a catalogue code, the year it is for."""

    award: str
    year: int
    kind: str  # one of AWARD_KINDS
    decision: str = ""  # decision number, e.g. "123/QĐ-BTP"
    decided_on: date | None = None
    level: str = ""


@dataclass(frozen=True, slots=True)
class Rating:
    """A year's quality rating (xếp loại chất lượng) of a person or of a collective."""

    year: int
    grade: str  # one of GRADES
    score: Decimal | None = None
    months_worked: int = 12  # months at work, maternity leave not included
    maternity_months: int = 0  # months of maternity leave (nghỉ thai sản), counted as worked


@dataclass(frozen=True, slots=True)
class Initiative:
    """A recognised initiative (sáng kiến); ``consumed_by`` is the id of the award that used it."""

    id: str
    title: str
    year: int
    level: str  # one of INITIATIVE_LEVELS
    consumed_by: str | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """A discipline, investigation or complaint (kỷ luật, điều tra, khiếu nại) that holds awards back."""

    kind: str  # one of HOLD_KINDS
    start: date
    end: date | None = None  # inclusive; None while still running


@dataclass(frozen=True, slots=True)
class PersonHistory:
    """What the rules may know of a person (cá nhân)."""

    awards: tuple[AwardRecord, ...] = ()
    ratings: tuple[Rating, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    holds: tuple[Hold, ...] = ()
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class MemberSummary:
    """One member of a collective in the proposal year: rating (None: not rated) and titles held."""

    person_id: str
    rating: str | None = None
    titles: frozenset[str] = frozenset()
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class UnitHistory:
    """What the rules may know of a collective (tập thể). ``holds`` is an addition to the brief: a
    collective can be under investigation too; it defaults to none."""

    awards: tuple[AwardRecord, ...] = ()
    ratings: tuple[Rating, ...] = ()
    members: tuple[MemberSummary, ...] = ()
    cluster_lead: bool | None = None  # leads its emulation cluster (cụm/khối) in the year's results
    elected: bool | None = None  # elected (suy tôn) by its cluster
    holds: tuple[Hold, ...] = ()


History = PersonHistory | UnitHistory


# --- Rule types (each cites the article it comes from) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldsTitle:
    """Holds the (merit) title in each of ``years`` consecutive years ending at Y (or Y-1)."""

    title: str
    years: int
    ending: str = ENDING_YEAR
    article: str = ""


@dataclass(frozen=True, slots=True)
class HoldsTitleTimes:
    """The last ``times`` merit awards of a title, each within ``period`` years of the next, the
    latest in the end year (consecutive); or simply ``times`` awards up to the end year."""

    title: str
    times: int
    consecutive: bool = True
    ending: str = ENDING_YEAR
    period: int = 3
    article: str = ""


@dataclass(frozen=True, slots=True)
class RatedAtLeast:
    """Rated ``grade`` or better in ``years`` consecutive years ending at Y (or Y-1); with
    ``since_award``, all those years must come after the latest merit award of that code."""

    grade: str
    years: int
    since_award: str | None = None
    ending: str = ENDING_YEAR
    article: str = ""


@dataclass(frozen=True, slots=True)
class HasAward:
    """Holds (ever, up to Y) a merit award of this code."""

    award: str
    article: str = ""


@dataclass(frozen=True, slots=True)
class TitleCountInWindow:
    """At least ``count`` merit awards of the title in a window: the years after the latest
    ``window_from_award``, and/or the last ``years`` years, ending at Y (or Y-1)."""

    title: str
    count: int
    window_from_award: str | None = None
    years: int | None = None
    ending: str = ENDING_YEAR
    article: str = ""


@dataclass(frozen=True, slots=True)
class HasInitiative:
    """``count`` unused initiatives of level ``min_level`` or higher (within the last ``within_years``)."""

    min_level: str
    count: int = 1
    within_years: int | None = None
    article: str = ""


@dataclass(frozen=True, slots=True)
class NotOnHold:
    """No discipline, investigation or complaint active on the reference date."""

    article: str = ""


@dataclass(frozen=True, slots=True)
class ShareOfMembersWithTitle:
    """At least (``inclusive``) or more than ``min_percent`` % of the members hold the title."""

    title: str
    min_percent: Decimal
    inclusive: bool = True
    article: str = ""


@dataclass(frozen=True, slots=True)
class AllMembersRatedAtLeast:
    """Every member rated that year is rated ``grade`` or better."""

    grade: str
    article: str = ""


@dataclass(frozen=True, slots=True)
class AtLeastOneMemberWithTitle:
    title: str
    article: str = ""


@dataclass(frozen=True, slots=True)
class UnitRatedAtLeast:
    """The collective's own rating is ``grade`` or better in the ``years`` years ending at Y."""

    grade: str
    years: int = 1
    article: str = ""


@dataclass(frozen=True, slots=True)
class LeadsCluster:
    """Leads its emulation cluster (dẫn đầu cụm/khối thi đua) in the year's campaign results."""

    article: str = ""


@dataclass(frozen=True, slots=True)
class ElectedByCluster:
    """Elected (suy tôn) by its cluster. An addition to the brief: the Cờ thi đua needs it."""

    article: str = ""


@dataclass(frozen=True, slots=True)
class All:
    rules: tuple = ()
    article: str = ""


@dataclass(frozen=True, slots=True)
class Any:
    rules: tuple = ()
    article: str = ""


Rule = (
    HoldsTitle
    | HoldsTitleTimes
    | RatedAtLeast
    | HasAward
    | TitleCountInWindow
    | HasInitiative
    | NotOnHold
    | ShareOfMembersWithTitle
    | AllMembersRatedAtLeast
    | AtLeastOneMemberWithTitle
    | UnitRatedAtLeast
    | LeadsCluster
    | ElectedByCluster
    | All
    | Any
)
RULE_TYPES = {
    cls.__name__: cls
    for cls in (
        HoldsTitle,
        HoldsTitleTimes,
        RatedAtLeast,
        HasAward,
        TitleCountInWindow,
        HasInitiative,
        NotOnHold,
        ShareOfMembersWithTitle,
        AllMembersRatedAtLeast,
        AtLeastOneMemberWithTitle,
        UnitRatedAtLeast,
        LeadsCluster,
        ElectedByCluster,
        All,
        Any,
    )
}
_COLLECTIVE_ONLY = (
    ShareOfMembersWithTitle,
    AllMembersRatedAtLeast,
    AtLeastOneMemberWithTitle,
    UnitRatedAtLeast,
    LeadsCluster,
    ElectedByCluster,
)


# --- Catalogue data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """A legal text (căn cứ pháp lý) and the dates it is in force."""

    code: str
    title: str
    effective_from: date
    effective_to: date | None = None


@dataclass(frozen=True, slots=True)
class AwardRule:
    """One version of an award's conditions: in force from ``effective_from`` to ``effective_to``
    (inclusive; None: still in force), for a person or a collective."""

    award: str
    label: str
    subject: str  # PERSON or COLLECTIVE
    rule: Rule
    legal_basis: str  # LegalBasis.code
    effective_from: date
    effective_to: date | None = None


# --- Output ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """One condition's outcome; ``children`` for All/Any. Everything is JSON-serialisable."""

    rule: str
    passed: bool
    article: str
    message_code: str
    params: dict = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    children: tuple[Check, ...] = ()

    def walk(self) -> Iterable[Check]:
        """This check and every check below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "article": self.article,
            "message_code": self.message_code,
            "params": self.params,
            "evidence": list(self.evidence),
            "children": [child.as_dict() for child in self.children],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    eligible: bool
    award: str
    year: int
    rule_version: str  # the legal basis code of the AwardRule used ("" when none was in force)
    checks: Check
    consumed_initiatives: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "award": self.award,
            "year": self.year,
            "rule_version": self.rule_version,
            "checks": self.checks.as_dict(),
            "consumed_initiatives": list(self.consumed_initiatives),
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a rule tree: ``path`` like "rules[1].rules[0]", the field, a code."""

    path: str
    field: str
    code: str

    def as_dict(self) -> dict:
        return {"path": self.path, "field": self.field, "code": self.code}


# --- Evidence formatting ---------------------------------------------------------------------------


def _date_text(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _award_text(record: AwardRecord) -> str:
    details = [record.decision] if record.decision else []
    if record.decided_on is not None:
        details.append(_date_text(record.decided_on))
    text = f"{record.award} {record.year}"
    return f"{text} ({', '.join(details)})" if details else text


def _rating_text(rating: Rating) -> str:
    text = f"{rating.grade} {rating.year}"
    return text if rating.score is None else f"{text} ({rating.score})"


def _initiative_text(initiative: Initiative) -> str:
    return f"{initiative.id} {initiative.year} ({initiative.level}): {initiative.title}"


def _hold_text(hold: Hold) -> str:
    end = _date_text(hold.end) if hold.end is not None else "…"
    return f"{hold.kind} {_date_text(hold.start)}–{end}"


def _hold_data(hold: Hold) -> dict:
    return {
        "kind": hold.kind,
        "start": hold.start.isoformat(),
        "end": hold.end.isoformat() if hold.end is not None else None,
    }


# --- The history, indexed once per nominee ---------------------------------------------------------


def _grade_rank(grade: object) -> int:
    return _GRADE_RANK.get(grade, 0) if isinstance(grade, str) else 0


class _Facts:
    """A nominee's history indexed for one proposal year and reference date: merit awards by code and
    year, ratings by year, the discipline floor. Built once, then every condition reads dicts."""

    __slots__ = ("collective", "floor", "history", "holds", "initiatives", "merit", "on", "other", "ratings",
                 "unrated", "year")

    def __init__(self, history: History, year: int, on: date) -> None:
        self.history = history
        self.year = year
        self.on = on
        self.collective = isinstance(history, UnitHistory)
        self.holds = tuple(getattr(history, "holds", ()) or ())
        self.initiatives = tuple(getattr(history, "initiatives", ()) or ())
        floor: int | None = None
        for hold in self.holds:
            if hold.kind == DISCIPLINE and hold.start <= on:
                # still running: nothing counts yet (its end year is after any year we judge)
                cut = hold.end.year if hold.end is not None else year + 1
                floor = cut if floor is None else max(floor, cut)
        self.floor = floor
        merit: dict[str, dict[int, AwardRecord]] = {}
        other: dict[str, dict[int, AwardRecord]] = {}
        for record in history.awards:
            if record.year <= year:
                target = merit if record.kind == MERIT else other
                target.setdefault(record.award, {}).setdefault(record.year, record)
        self.merit = merit
        self.other = other
        ratings: dict[int, Rating] = {}
        unrated: dict[int, Rating] = {}
        for rating in history.ratings:
            if rating.year > year:
                continue
            if rating.months_worked + rating.maternity_months < MIN_MONTHS_RATED:
                unrated.setdefault(rating.year, rating)
                continue
            known = ratings.get(rating.year)
            if known is None or _grade_rank(rating.grade) < _grade_rank(known.grade):
                ratings[rating.year] = rating  # two ratings for a year: the lower one counts
        self.ratings = ratings
        self.unrated = unrated

    def end_year(self, ending: str) -> int:
        return self.year - 1 if ending == ENDING_PREVIOUS else self.year

    def counts(self, year: int) -> bool:
        """Whether achievements of that year count (not before a discipline's end)."""
        return self.floor is None or year >= self.floor

    def latest_merit(self, award: str) -> AwardRecord | None:
        """The latest merit award of that code up to Y that counts."""
        years = [y for y in self.merit.get(award, ()) if self.counts(y)]
        return self.merit[award][max(years)] if years else None

    def not_merit(self, award: str, low: int | None, high: int) -> list[int]:
        return sorted(y for y in self.other.get(award, ()) if (low is None or y >= low) and y <= high)

    def floor_within(self, low: int | None, high: int) -> int | None:
        """The discipline floor when it cuts into the window [low, high] (low None: unbounded)."""
        if self.floor is None or (low is not None and self.floor <= low):
            return None
        return self.floor


def _run_from_end(flags: list[bool]) -> int:
    """Length of the unbroken run of True at the end of ``flags``."""
    run = 0
    for flag in reversed(flags):
        if not flag:
            break
        run += 1
    return run


# --- Evaluation of each rule type ------------------------------------------------------------------
# Each evaluator takes (rule, facts, article, reserved initiative ids) and returns the Check and the
# initiative ids the condition would consume.

_Result = tuple[Check, tuple[str, ...]]


def _check(rule: object, passed: bool, article: str, code: str, params: dict,
           evidence: Iterable[str] = (), children: tuple[Check, ...] = ()) -> Check:
    return Check(type(rule).__name__, passed, article, code, params, tuple(evidence), children)


def _holds_title(rule: HoldsTitle, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    end = facts.end_year(rule.ending)
    start = end - rule.years + 1
    by_year = facts.merit.get(rule.title, {})
    window = range(start, end + 1)
    flags = [y in by_year and facts.counts(y) for y in window]
    params = {"title": rule.title, "years": rule.years, "from_year": start, "to_year": end}
    evidence = [_award_text(by_year[y]) for y, ok in zip(window, flags, strict=True) if ok]
    if all(flags):
        return _check(rule, True, article, "title_streak_met", params, evidence), ()
    params |= {
        "found": _run_from_end(flags),
        "missing": [y for y, ok in zip(window, flags, strict=True) if not ok],
        "not_merit": facts.not_merit(rule.title, start, end),
        "counted_from": facts.floor_within(start, end),
    }
    return _check(rule, False, article, "title_streak_short", params, evidence), ()


def _holds_title_times(rule: HoldsTitleTimes, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    end = facts.end_year(rule.ending)
    by_year = facts.merit.get(rule.title, {})
    years = sorted(y for y in by_year if y <= end and facts.counts(y))
    params = {"title": rule.title, "times": rule.times, "period": rule.period,
              "consecutive": rule.consecutive, "to_year": end}
    failure = {"not_merit": facts.not_merit(rule.title, None, end), "counted_from": facts.floor_within(None, end)}
    if len(years) < rule.times:
        evidence = [_award_text(by_year[y]) for y in years]
        return _check(rule, False, article, "title_times_too_few", params | {"years": years} | failure,
                      evidence), ()
    used = years[-rule.times:] if rule.consecutive else years
    evidence = [_award_text(by_year[y]) for y in used]
    params["years"] = used
    if rule.consecutive:
        for earlier, later in zip(used, used[1:], strict=False):
            if later - earlier > rule.period:
                return _check(rule, False, article, "title_times_gap",
                              params | {"gap_after": earlier} | failure, evidence), ()
        if used[-1] != end:
            return _check(rule, False, article, "title_times_not_recent",
                          params | {"latest": used[-1]} | failure, evidence), ()
    return _check(rule, True, article, "title_times_met", params, evidence), ()


def _rating_window(rule: object, facts: _Facts, article: str, grade: str, years: int, end: int,
                   since_award: str | None) -> Check:
    """Rated ``grade`` or better in every year of [end - years + 1, end], after the since-award."""
    params: dict = {"grade": grade, "years": years, "from_year": end - years + 1, "to_year": end,
                    "since_award": since_award, "since_year": None}
    evidence: list[str] = []
    low = facts.floor
    if since_award is not None:
        anchor = facts.latest_merit(since_award)
        if anchor is None:
            return _check(rule, False, article, "since_award_missing", {
                "award": since_award, "to_year": end,
                "not_merit": facts.not_merit(since_award, None, facts.year),
                "counted_from": facts.floor_within(None, facts.year),
            })
        params["since_year"] = anchor.year
        evidence.append(_award_text(anchor))
        low = anchor.year + 1 if low is None else max(low, anchor.year + 1)
    need = _grade_rank(grade)
    missing, not_rated, below, excluded, flags = [], [], [], [], []
    for y in range(end - years + 1, end + 1):
        rating = facts.ratings.get(y)
        ok = False
        if low is not None and y < low:
            excluded.append(y)
        elif rating is None:
            (not_rated if y in facts.unrated else missing).append(y)
        elif _grade_rank(rating.grade) < need:
            below.append(y)
        else:
            ok = True
            evidence.append(_rating_text(rating))
        flags.append(ok)
    if all(flags):
        return _check(rule, True, article, "rating_streak_met", params, evidence)
    params |= {"found": _run_from_end(flags), "missing": missing, "not_rated": not_rated, "below": below,
               "excluded": excluded, "counted_from": facts.floor_within(end - years + 1, end)}
    return _check(rule, False, article, "rating_streak_short", params, evidence)


def _rated_at_least(rule: RatedAtLeast, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    end = facts.end_year(rule.ending)
    return _rating_window(rule, facts, article, rule.grade, rule.years, end, rule.since_award), ()


def _unit_rated_at_least(rule: UnitRatedAtLeast, facts: _Facts, article: str,
                         reserved: frozenset[str]) -> _Result:
    return _rating_window(rule, facts, article, rule.grade, rule.years, facts.year, None), ()


def _has_award(rule: HasAward, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    record = facts.latest_merit(rule.award)
    if record is not None:
        return _check(rule, True, article, "award_held", {"award": rule.award, "year": record.year},
                      [_award_text(record)]), ()
    params = {"award": rule.award, "not_merit": facts.not_merit(rule.award, None, facts.year),
              "counted_from": facts.floor_within(None, facts.year)}
    return _check(rule, False, article, "award_missing", params), ()


def _max(low: int | None, other: int | None) -> int | None:
    """The later of two lower bounds, either of which may be None (no bound)."""
    if low is None:
        return other
    return low if other is None else max(low, other)


def _title_count(rule: TitleCountInWindow, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    end = facts.end_year(rule.ending)
    window_low: int | None = None
    evidence: list[str] = []
    since_year = None
    if rule.window_from_award is not None:
        anchor = facts.latest_merit(rule.window_from_award)
        if anchor is None:
            return _check(rule, False, article, "since_award_missing", {
                "award": rule.window_from_award, "to_year": end,
                "not_merit": facts.not_merit(rule.window_from_award, None, facts.year),
                "counted_from": facts.floor_within(None, facts.year),
            }), ()
        since_year = anchor.year
        evidence.append(_award_text(anchor))
        window_low = anchor.year + 1
    if rule.years is not None:
        window_low = _max(window_low, end - rule.years + 1)
    low = _max(window_low, facts.floor)
    by_year = facts.merit.get(rule.title, {})
    counted = sorted(y for y in by_year if (low is None or y >= low) and y <= end)
    evidence.extend(_award_text(by_year[y]) for y in counted)
    passed = len(counted) >= rule.count
    params = {"title": rule.title, "count": rule.count, "found": len(counted), "from_year": window_low,
              "to_year": end, "since_award": rule.window_from_award, "since_year": since_year, "years": counted,
              "not_merit": facts.not_merit(rule.title, window_low, end),
              "counted_from": facts.floor_within(window_low, end)}
    return _check(rule, passed, article, "title_count_met" if passed else "title_count_short", params,
                  evidence), ()


def _has_initiative(rule: HasInitiative, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    need = _LEVEL_RANK.get(rule.min_level, 99)
    window_low = None if rule.within_years is None else facts.year - rule.within_years + 1
    low = _max(window_low, facts.floor)
    qualifying = [
        i for i in facts.initiatives
        if _LEVEL_RANK.get(i.level, 0) >= need and i.year <= facts.year and (low is None or i.year >= low)
    ]
    consumed = sorted({i.id for i in qualifying if i.consumed_by})
    held_back = sorted({i.id for i in qualifying if not i.consumed_by and i.id in reserved})
    usable = sorted(
        (i for i in qualifying if not i.consumed_by and i.id not in reserved),
        key=lambda i: (_LEVEL_RANK[i.level], i.year, i.id),
    )
    picked: list[Initiative] = []
    seen: set[str] = set()
    for initiative in usable:
        if len(picked) == rule.count:
            break
        if initiative.id not in seen:  # one id is one initiative, even if listed twice
            seen.add(initiative.id)
            picked.append(initiative)
    params = {"min_level": rule.min_level, "count": rule.count, "found": len({i.id for i in usable}),
              "from_year": window_low, "to_year": facts.year, "ids": [i.id for i in picked]}
    evidence = [_initiative_text(i) for i in picked]
    if len(picked) >= rule.count:
        return _check(rule, True, article, "initiative_available", params, evidence), tuple(params["ids"])
    params |= {"consumed": consumed, "reserved": held_back,
               "counted_from": facts.floor_within(window_low, facts.year)}
    return _check(rule, False, article, "initiative_missing", params, evidence), ()


def _not_on_hold(rule: NotOnHold, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    on = facts.on
    active = [h for h in facts.holds if h.start <= on and (h.end is None or on <= h.end)]
    if not active:
        return _check(rule, True, article, "no_active_hold", {"on": on.isoformat()}), ()
    params = {"on": on.isoformat(), "holds": [_hold_data(h) for h in active]}
    return _check(rule, False, article, "on_hold", params, [_hold_text(h) for h in active]), ()


def _percent(count: int, total: int) -> str:
    return str((Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def _member_share(rule: ShareOfMembersWithTitle, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    members = facts.history.members
    if not members:
        return _check(rule, False, article, "no_members", {"title": rule.title}), ()
    count = sum(1 for m in members if rule.title in m.titles)
    total = len(members)
    minimum = Decimal(str(rule.min_percent))
    # exact: count / total * 100 >= minimum, without dividing
    passed = count * 100 >= minimum * total if rule.inclusive else count * 100 > minimum * total
    params = {"title": rule.title, "count": count, "total": total, "percent": _percent(count, total),
              "min_percent": str(rule.min_percent), "inclusive": rule.inclusive}
    code = "member_share_met" if passed else "member_share_short"
    return _check(rule, passed, article, code, params, [f"{rule.title} {count}/{total}"]), ()


def _all_members_rated(rule: AllMembersRatedAtLeast, facts: _Facts, article: str,
                       reserved: frozenset[str]) -> _Result:
    members = facts.history.members
    rated = [m for m in members if m.rating is not None]
    params = {"grade": rule.grade, "rated": len(rated), "not_rated": len(members) - len(rated)}
    if not rated:
        return _check(rule, False, article, "no_rated_members", {"grade": rule.grade, "total": len(members)}), ()
    need = _grade_rank(rule.grade)
    below = [m for m in rated if _grade_rank(m.rating) < need]
    if not below:
        return _check(rule, True, article, "all_members_rated_met", params), ()
    params["below"] = [m.person_id for m in below]
    return _check(rule, False, article, "members_below_grade", params,
                  [f"{m.person_id}: {m.rating}" for m in below]), ()


def _member_with_title(rule: AtLeastOneMemberWithTitle, facts: _Facts, article: str,
                       reserved: frozenset[str]) -> _Result:
    holders = [m.person_id for m in facts.history.members if rule.title in m.titles]
    if holders:
        return _check(rule, True, article, "member_with_title", {"title": rule.title, "count": len(holders)},
                      [f"{pid}: {rule.title}" for pid in holders]), ()
    return _check(rule, False, article, "no_member_with_title", {"title": rule.title}), ()


def _flag(rule: object, value: bool | None, article: str, codes: tuple[str, str, str]) -> _Result:
    yes, no, unknown = codes
    if value is None:
        return _check(rule, False, article, unknown, {}), ()
    return _check(rule, bool(value), article, yes if value else no, {}), ()


def _leads_cluster(rule: LeadsCluster, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    return _flag(rule, facts.history.cluster_lead, article, ("cluster_lead", "not_cluster_lead", "no_campaign_result"))


def _elected(rule: ElectedByCluster, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    return _flag(rule, facts.history.elected, article, ("cluster_elected", "not_cluster_elected", "no_election_result"))


def _all(rule: All, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    children: list[Check] = []
    consumed: list[str] = []
    for child in rule.rules:
        check, used = _evaluate_node(child, facts, article, reserved)
        children.append(check)
        if used:
            consumed.extend(used)
            reserved = reserved | frozenset(used)
    passed_count = sum(1 for c in children if c.passed)
    passed = passed_count == len(children)
    params = {"passed": passed_count, "total": len(children)}
    check = _check(rule, passed, article, "all_met" if passed else "not_all_met", params, children=tuple(children))
    return check, tuple(consumed) if passed else ()


def _any(rule: Any, facts: _Facts, article: str, reserved: frozenset[str]) -> _Result:
    children: list[Check] = []
    consumed: tuple[str, ...] | None = None
    for child in rule.rules:
        # every branch starts from the same reservations: only the chosen one will consume
        check, used = _evaluate_node(child, facts, article, reserved)
        children.append(check)
        if check.passed and consumed is None:
            consumed = used
    passed_count = sum(1 for c in children if c.passed)
    passed = passed_count > 0
    params = {"passed": passed_count, "total": len(children)}
    check = _check(rule, passed, article, "any_met" if passed else "none_met", params, children=tuple(children))
    return check, consumed or ()


_EVALUATORS = {
    HoldsTitle: _holds_title,
    HoldsTitleTimes: _holds_title_times,
    RatedAtLeast: _rated_at_least,
    HasAward: _has_award,
    TitleCountInWindow: _title_count,
    HasInitiative: _has_initiative,
    NotOnHold: _not_on_hold,
    ShareOfMembersWithTitle: _member_share,
    AllMembersRatedAtLeast: _all_members_rated,
    AtLeastOneMemberWithTitle: _member_with_title,
    UnitRatedAtLeast: _unit_rated_at_least,
    LeadsCluster: _leads_cluster,
    ElectedByCluster: _elected,
    All: _all,
    Any: _any,
}


def _evaluate_node(rule: Rule, facts: _Facts, inherited: str, reserved: frozenset[str]) -> _Result:
    article = rule.article or inherited
    if isinstance(rule, _COLLECTIVE_ONLY) and not facts.collective:
        return _check(rule, False, article, "not_a_collective", {}), ()
    return _EVALUATORS[type(rule)](rule, facts, article, reserved)


# --- Validation ------------------------------------------------------------------------------------


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def rule_problems(rule: object, path: str = "") -> tuple[Problem, ...]:
    """What is wrong with a rule tree (for the admin form, and checked by ``evaluate``). Codes:
    unknown_rule, not_text (an article that is not a string), not_positive (a count of years/times/initiatives below 1 or not an int),
    unknown_grade, unknown_level, unknown_ending, missing_code (an empty title/award code),
    out_of_range (a percent outside 0–100), empty (an All/Any without rules)."""
    problems: list[Problem] = []
    here = path or "root"

    def add(field_name: str, code: str) -> None:
        problems.append(Problem(here, field_name, code))

    kind = type(rule)
    if kind not in _EVALUATORS:
        return (Problem(here, "type", "unknown_rule"),)
    if not isinstance(rule.article, str):
        add("article", "not_text")
    for name in ("title", "award"):
        if hasattr(rule, name) and not (isinstance(getattr(rule, name), str) and getattr(rule, name)):
            add(name, "missing_code")
    for name in ("since_award", "window_from_award"):
        value = getattr(rule, name, None)
        if value is not None and not (isinstance(value, str) and value):
            add(name, "missing_code")
    for name in ("years", "times", "count", "period"):
        if hasattr(rule, name):
            value = getattr(rule, name)
            optional = kind is TitleCountInWindow and name == "years"
            if not (optional and value is None) and not _positive(value):
                add(name, "not_positive")
    if getattr(rule, "within_years", None) is not None and not _positive(rule.within_years):
        add("within_years", "not_positive")
    if hasattr(rule, "grade") and not (isinstance(rule.grade, str) and rule.grade in _GRADE_RANK):
        add("grade", "unknown_grade")
    if hasattr(rule, "min_level") and rule.min_level not in _LEVEL_RANK:
        add("min_level", "unknown_level")
    if hasattr(rule, "ending") and rule.ending not in ENDINGS:
        add("ending", "unknown_ending")
    if kind is ShareOfMembersWithTitle:
        try:
            percent = Decimal(str(rule.min_percent))
            in_range = percent.is_finite() and 0 <= percent <= 100
        except (InvalidOperation, ValueError):
            in_range = False
        if not in_range or isinstance(rule.min_percent, bool):
            add("min_percent", "out_of_range")
    if kind in (All, Any):
        children = rule.rules if isinstance(rule.rules, (tuple, list)) else ()
        if not children:
            add("rules", "empty")
        for index, child in enumerate(children):
            problems.extend(rule_problems(child, f"{path + '.' if path else ''}rules[{index}]"))
    return tuple(problems)


# --- Versions in force -----------------------------------------------------------------------------


def _in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


def rules_in_force(rule_set: Sequence[AwardRule], award: str, on: date, subject: str | None = None) -> AwardRule | None:
    """The version of the award's rule in force on ``on`` (the proposal's reference date); with
    ``subject``, only rules for a person or a collective. Overlapping versions: the latest start wins."""
    candidates = [
        r for r in rule_set
        if r.award == award and (subject is None or r.subject == subject) and _in_force(r.effective_from,
                                                                                          r.effective_to, on)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda r: r.effective_from)


# --- Entry points ----------------------------------------------------------------------------------


def _subject_of(history: History) -> str:
    return COLLECTIVE if isinstance(history, UnitHistory) else PERSON


def _root_failure(award: str, year: int, rule_version: str, code: str, params: dict) -> Verdict:
    check = Check("AwardRule", False, "", code, params)
    return Verdict(False, award, year, rule_version, check)


def no_rule_verdict(award: str, year: int, on: date) -> Verdict:
    """The verdict when no version of the award's rule is in force on the reference date."""
    return _root_failure(award, year, "", "no_rule_in_force", {"award": award, "on": on.isoformat()})


def _evaluate_checked(rule: AwardRule, history: History, year: int, on: date) -> Verdict:
    subject = _subject_of(history)
    if rule.subject != subject:
        return _root_failure(rule.award, year, rule.legal_basis, "wrong_subject",
                             {"expected": rule.subject, "got": subject})
    facts = _Facts(history, year, on)
    check, consumed = _evaluate_node(rule.rule, facts, "", frozenset())
    return Verdict(check.passed, rule.award, year, rule.legal_basis, check, consumed if check.passed else ())


def evaluate(rule: AwardRule, history: History, year: int, on: date) -> Verdict:
    """Judge one nominee for ``rule`` in proposal year ``year``, holds judged on ``on``."""
    problems = rule_problems(rule.rule)
    if problems:
        return _root_failure(rule.award, year, rule.legal_basis, "invalid_rule",
                             {"problems": [p.as_dict() for p in problems]})
    return _evaluate_checked(rule, history, year, on)


K = TypeVar("K", bound=Hashable)


def evaluate_many(rule: AwardRule, histories: Mapping[K, History] | Iterable[tuple[K, History]], year: int,
                  on: date) -> dict[K, Verdict]:
    """``evaluate`` for a batch (nominee key → history): the rule is checked once, each history is
    indexed once, so the cost is linear in the number of records."""
    items = histories.items() if isinstance(histories, Mapping) else histories
    problems = rule_problems(rule.rule)
    if problems:
        failure = _root_failure(rule.award, year, rule.legal_basis, "invalid_rule",
                                {"problems": [p.as_dict() for p in problems]})
        return {key: failure for key, _history in items}
    return {key: _evaluate_checked(rule, history, year, on) for key, history in items}


def evaluate_in_force(rule_set: Sequence[AwardRule], award: str, history: History, year: int, on: date) -> Verdict:
    """Pick the version in force on ``on`` for the nominee's kind (person/collective) and judge."""
    rule = rules_in_force(rule_set, award, on, _subject_of(history))
    if rule is None:
        return no_rule_verdict(award, year, on)
    return evaluate(rule, history, year, on)


# --- Rules as JSON-ready data (what the database stores) -------------------------------------------


def rule_to_data(rule: Rule) -> dict:
    """A rule tree as plain data: {"type": "HoldsTitle", "title": ..., ...}; decimals as strings."""
    data: dict = {"type": type(rule).__name__}
    for f in fields(rule):
        value = getattr(rule, f.name)
        if f.name == "rules":
            value = [rule_to_data(child) for child in value]
        elif isinstance(value, Decimal):
            value = str(value)
        data[f.name] = value
    return data


def rule_from_data(data: Mapping) -> Rule:
    """The inverse of ``rule_to_data``; raises ValueError on an unknown type or field."""
    if not isinstance(data, Mapping) or data.get("type") not in RULE_TYPES:
        raise ValueError(f"unknown rule type: {data.get('type') if isinstance(data, Mapping) else data!r}")
    cls = RULE_TYPES[data["type"]]
    known = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in data.items() if k != "type"}
    unknown = set(kwargs) - known
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    if "rules" in kwargs:
        kwargs["rules"] = tuple(rule_from_data(child) for child in kwargs["rules"])
    if "min_percent" in kwargs:
        try:
            kwargs["min_percent"] = Decimal(str(kwargs["min_percent"]))
        except InvalidOperation:
            raise ValueError(f"{cls.__name__}: min_percent {kwargs['min_percent']!r} is not a number") from None
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ValueError(f"{cls.__name__}: {error}") from None


# --- The default catalogue (seeded by a data migration, then edited by admins) ---------------------

LAW = "06/2022/QH15"
DECREE_2023 = "98/2023/NĐ-CP"
DECREE_2025 = "152/2025/NĐ-CP"
CIRCULAR_BTP = "11/2023/TT-BTP"


def default_legal_bases() -> tuple[LegalBasis, ...]:
    """The texts the default rules cite (DOMAIN.md, "Legal basis")."""
    return (
        LegalBasis(LAW, "Luật Thi đua, khen thưởng số 06/2022/QH15", date(2024, 1, 1)),
        LegalBasis(DECREE_2023, "Nghị định 98/2023/NĐ-CP quy định chi tiết thi hành một số điều của "
                   "Luật Thi đua, khen thưởng", date(2024, 1, 1), date(2025, 6, 30)),
        # the replacement's exact title and day of entry into force: (verify)
        LegalBasis(DECREE_2025, "Nghị định 152/2025/NĐ-CP (thay thế Nghị định 98/2023/NĐ-CP)", date(2025, 7, 1)),
        # in force "from 12/02/2024" per DOMAIN.md: (verify)
        LegalBasis(CIRCULAR_BTP, "Thông tư 11/2023/TT-BTP hướng dẫn công tác thi đua, khen thưởng ngành Tư pháp",
                   date(2024, 2, 12)),
    )


def _law(article: str) -> str:
    return f"{article} Luật Thi đua, khen thưởng 2022"


# Article numbers of Luật Thi đua, khen thưởng 2022. DOMAIN.md gives only the ranges "titles Art 21–28,
# Bằng khen Art 73–75"; each number below is our reading of that range: (verify) every one.
ART_CSTDTQ = _law("Điều 21")  # (verify) Chiến sĩ thi đua toàn quốc
ART_CSTDBO = _law("Điều 22")  # (verify) Chiến sĩ thi đua Bộ, ban, ngành, tỉnh
ART_CSTDCS = _law("Điều 23")  # (verify) Chiến sĩ thi đua cơ sở
ART_LDTT = _law("Điều 24")  # (verify) Lao động tiên tiến
ART_COTDCP = _law("Điều 25")  # (verify) Cờ thi đua của Chính phủ
ART_COTDBO = _law("Điều 26")  # (verify) Cờ thi đua Bộ, ban, ngành, tỉnh
ART_TTLDXS = _law("Điều 27")  # (verify) Tập thể lao động xuất sắc
ART_TTLDTT = _law("Điều 28")  # (verify) Tập thể lao động tiên tiến
ART_BKTTG = _law("Điều 73")  # (verify) Bằng khen của Thủ tướng Chính phủ
ART_BKBT = _law("Điều 74")  # (verify) Bằng khen cấp Bộ
ART_GK = _law("Điều 75")  # (verify) Giấy khen
# (verify) DOMAIN.md states the hold rule without an article; the decree (NĐ 98/2023, then NĐ 152/2025)
# details it. We cite the law without a number rather than guess one.
ART_HOLD = "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"


def default_rule_set() -> tuple[AwardRule, ...]:
    """The minimum catalogue of DOMAIN.md as rule trees. Every award also requires ``NotOnHold``.

    Versioning example: Tập thể lao động tiên tiến (TTLĐTT) has two versions. Under NĐ 98/2023
    (01/01/2024–30/06/2025) it takes "≥ 50 % of members LĐTT" (DOMAIN.md's reading); from NĐ 152/2025
    (01/07/2025) "more than 50 %" (the law's "trên 50%" as we recall it). A collective with exactly
    half its members LĐTT passes under the first and fails under the second. (verify) both wordings:
    the change is recorded to show how a changed rule is versioned, not as a confirmed legal fact.
    """
    start = date(2024, 1, 1)
    hold = NotOnHold(article=ART_HOLD)

    def rule(award: str, label: str, subject: str, tree: Rule, basis: str = LAW, effective_from: date = start,
             effective_to: date | None = None) -> AwardRule:
        return AwardRule(award, label, subject, tree, basis, effective_from, effective_to)

    ttldtt_tree = [
        hold,
        UnitRatedAtLeast(HTTNV, 1, article=ART_TTLDTT),  # "hoàn thành tốt nhiệm vụ"
    ]
    return (
        rule(LDTT, "Lao động tiên tiến", PERSON, All((hold, RatedAtLeast(HTTNV, 1)), article=ART_LDTT)),
        rule(CSTDCS, "Chiến sĩ thi đua cơ sở", PERSON, All((
            hold,
            # the LĐTT of the same year must already be recorded (decided before, or in the same decision)
            HoldsTitle(LDTT, 1),
            Any((RatedAtLeast(HTXSNV, 1), HasInitiative(UNIT_LEVEL, 1, within_years=1))),
        ), article=ART_CSTDCS)),
        rule(CSTDBO, "Chiến sĩ thi đua cấp Bộ", PERSON, All((
            hold,
            # proposed in the year of the third CSTĐCS: (verify)
            HoldsTitle(CSTDCS, 3),
            HasInitiative(MINISTRY_LEVEL, 1, within_years=3),
        ), article=ART_CSTDBO)),
        rule(CSTDTQ, "Chiến sĩ thi đua toàn quốc", PERSON, All((
            hold,
            # the second CSTĐ cấp Bộ in the year before the proposal, at most 3 years after the first:
            # (verify) the timing and the period
            HoldsTitleTimes(CSTDBO, 2, consecutive=True, ending=ENDING_PREVIOUS, period=3),
            # no window: the two CSTĐ cấp Bộ span up to 7 years; (verify) whether the decree sets one
            HasInitiative(NATIONAL_LEVEL, 1),
        ), article=ART_CSTDTQ)),
        rule(TTLDTT, "Tập thể lao động tiên tiến", COLLECTIVE, All((
            *ttldtt_tree, ShareOfMembersWithTitle(LDTT, Decimal(50), inclusive=True),
        ), article=ART_TTLDTT), basis=DECREE_2023, effective_to=date(2025, 6, 30)),
        rule(TTLDTT, "Tập thể lao động tiên tiến", COLLECTIVE, All((
            *ttldtt_tree, ShareOfMembersWithTitle(LDTT, Decimal(50), inclusive=False),
        ), article=ART_TTLDTT), basis=DECREE_2025, effective_from=date(2025, 7, 1)),
        rule(TTLDXS, "Tập thể lao động xuất sắc", COLLECTIVE, All((
            hold,
            UnitRatedAtLeast(HTXSNV, 1),
            AllMembersRatedAtLeast(HTNV),
            ShareOfMembersWithTitle(LDTT, Decimal(70)),
            AtLeastOneMemberWithTitle(CSTDCS),
        ), article=ART_TTLDXS)),
        rule(COTDBO, "Cờ thi đua cấp Bộ", COLLECTIVE, All((hold, LeadsCluster(), ElectedByCluster()),
                                                          article=ART_COTDBO)),
        # chosen among the cluster leaders (the choice is the council's); the other route, "led a PM
        # campaign of ≥ 5 years", is not in the data: the council checks it. (verify)
        rule(COTDCP, "Cờ thi đua của Chính phủ", COLLECTIVE, All((hold, LeadsCluster()), article=ART_COTDCP)),
        rule(GK, "Giấy khen", PERSON, All((hold,), article=ART_GK)),
        rule(GK, "Giấy khen", COLLECTIVE, All((hold,), article=ART_GK)),
        rule(BKBT, "Bằng khen của Bộ trưởng", PERSON, All((
            hold,
            Any((
                HoldsTitle(CSTDCS, 2),
                All((RatedAtLeast(HTXSNV, 2), HasInitiative(UNIT_LEVEL, 2, within_years=2))),
            )),
        ), article=ART_BKBT)),
        rule(BKBT, "Bằng khen của Bộ trưởng", COLLECTIVE, All((
            hold,
            Any((UnitRatedAtLeast(HTXSNV, 2), HoldsTitle(TTLDXS, 2))),
        ), article=ART_BKBT)),
        rule(BKTTG, "Bằng khen của Thủ tướng Chính phủ", PERSON, All((
            hold,
            HasAward(BKBT),
            RatedAtLeast(HTTNV, 5, since_award=BKBT),
            TitleCountInWindow(CSTDCS, 3, window_from_award=BKBT),
        ), article=ART_BKTTG)),
    )
