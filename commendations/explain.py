"""Sentences for people: the eligibility engine's checks and verdicts, and an award's rule tree as
readable conditions, in the active language, with the evidence and the article of law cited.

The engine (commendations/eligibility.py) speaks in message codes with JSON parameters; every code
its module docstring lists has a sentence here (tests/commendations/test_explain.py checks that
against the docstring). A code this module does not know yet still gives a readable fallback.
Award codes become the catalogue's names through ``names`` (code → name), read once per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from commendations import eligibility
from commendations.enums import HoldKind, InitiativeLevel, RatingGrade

EMPTY = "—"
_SHORT_GRADES = {"HTXS": "HTXSNV", "HTT": "HTTNV", "HT": "HTNV", "KHT": "KHTNV"}


# --- Words for values ------------------------------------------------------------------------------


def _get(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def years_text(years: Iterable[Any] | None) -> str:
    """Years as written in a list: "2023, 2024, 2025" (never "2.023"); "none" when empty."""
    years = [str(year) for year in years or ()]
    return ", ".join(years) if years else _("none")


def date_text(value: Any) -> str:
    """An ISO date string (or a date) as dd/mm/yyyy in Vietnamese."""
    if value in (None, ""):
        return EMPTY
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def number_text(value: Any) -> str:
    """A decimal as people read it (66,66 in Vietnamese), without trailing zeros."""
    try:
        decimal = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    if not decimal.is_finite():
        return str(value)
    if decimal == decimal.to_integral():
        decimal = decimal.quantize(Decimal(1))
    return formats.number_format(decimal, use_l10n=True)


def grade_text(grade: Any) -> str:
    grade = _SHORT_GRADES.get(grade, grade)
    return str(RatingGrade(grade).label) if grade in RatingGrade.values else str(grade)


def level_text(level: Any) -> str:
    return str(InitiativeLevel(level).label) if level in InitiativeLevel.values else str(level)


def hold_kind_text(kind: Any) -> str:
    return str(HoldKind(kind).label) if kind in HoldKind.values else str(kind)


def subject_text(subject: Any) -> str:
    return {eligibility.PERSON: _("an individual"), eligibility.COLLECTIVE: _("a collective")}.get(subject, str(subject))


class _Context:
    """What a sentence needs besides its params: award names and member names."""

    def __init__(self, names: Mapping[str, str] | None, people: Mapping[str, str] | None):
        self.names = names or {}
        self.people = people or {}

    def title(self, code: Any) -> str:
        return self.names.get(code, str(code)) if code else EMPTY


# --- Shared clauses of the failures ----------------------------------------------------------------


def _failure_notes(params: Mapping, ctx: _Context) -> list[str]:
    notes = []
    if params.get("not_merit"):
        notes.append(
            _("%(years)s: only a campaign or ad-hoc award, which does not count") % {"years": years_text(params["not_merit"])}
        )
    if params.get("counted_from"):
        notes.append(
            _("achievements count only from %(year)s, after a discipline ended") % {"year": params["counted_from"]}
        )
    return notes


def _with_notes(text: str, notes: Sequence[str]) -> str:
    return "; ".join([text, *notes]) if notes else text


def _window_years(params: Mapping) -> list[int]:
    return list(range(int(params["from_year"]), int(params["to_year"]) + 1))


# --- One sentence per message code -----------------------------------------------------------------


def _title_streak(params: Mapping, ctx: _Context, met: bool) -> str:
    values = {"title": ctx.title(params["title"]), "years": params["years"], "to_year": params["to_year"]}
    if params["years"] == 1:
        sentence = _("%(title)s in %(to_year)s: held") if met else _("%(title)s in %(to_year)s: not held")
        return sentence % values if met else _with_notes(sentence % values, _failure_notes(params, ctx))
    missing = list(params.get("missing") or ())
    found = [year for year in _window_years(params) if year not in missing]
    values["found"] = years_text(found)
    if met:
        return _("%(title)s in %(years)s consecutive years ending %(to_year)s: held in %(found)s") % values
    values["missing"] = years_text(missing)
    sentence = _("%(title)s in %(years)s consecutive years ending %(to_year)s: found %(found)s — %(missing)s missing")
    return _with_notes(sentence % values, _failure_notes(params, ctx))


def _times_base(params: Mapping, ctx: _Context) -> str:
    values = {"title": ctx.title(params["title"]), "times": params["times"], "period": params["period"],
              "to_year": params["to_year"], "years": years_text(params.get("years"))}
    if params.get("consecutive", True):
        return _("%(title)s %(times)s times, each within %(period)s years of the previous one, the latest in "
                 "%(to_year)s") % values
    return _("%(title)s at least %(times)s times up to %(to_year)s") % values


def _title_times(params: Mapping, ctx: _Context, code: str) -> str:
    base = _times_base(params, ctx)
    years = years_text(params.get("years"))
    if code == "title_times_met":
        return _("%(condition)s: %(years)s") % {"condition": base, "years": years}
    if code == "title_times_too_few":
        text = _("%(condition)s: found %(count)s (%(years)s)") % {
            "condition": base, "count": len(params.get("years") or ()), "years": years}
    elif code == "title_times_gap":
        text = _("%(condition)s: %(years)s — more than %(period)s years after %(gap_after)s") % {
            "condition": base, "years": years, "period": params["period"], "gap_after": params["gap_after"]}
    else:
        text = _("%(condition)s: %(years)s — the latest is %(latest)s") % {
            "condition": base, "years": years, "latest": params["latest"]}
    return _with_notes(text, _failure_notes(params, ctx))


def _rating_base(params: Mapping, ctx: _Context) -> str:
    values = {"grade": grade_text(params["grade"]), "years": params["years"], "to_year": params["to_year"],
              "award": ctx.title(params.get("since_award")), "since_year": params.get("since_year")}
    if params.get("since_award"):
        return _("Rated %(grade)s or better in %(years)s consecutive years ending %(to_year)s, all after the "
                 "%(award)s of %(since_year)s") % values
    if params["years"] == 1:
        return _("Rated %(grade)s or better in %(to_year)s") % values
    return _("Rated %(grade)s or better in %(years)s consecutive years ending %(to_year)s") % values


def _rating_streak(params: Mapping, ctx: _Context, met: bool) -> str:
    base = _rating_base(params, ctx)
    if met:
        return base
    details = []
    if params.get("missing"):
        details.append(_("no rating for %(years)s") % {"years": years_text(params["missing"])})
    if params.get("not_rated"):
        details.append(_("under 6 months worked in %(years)s, so not rated") % {"years": years_text(params["not_rated"])})
    if params.get("below"):
        details.append(_("rated lower in %(years)s") % {"years": years_text(params["below"])})
    if params.get("excluded"):
        since_year, counted_from = params.get("since_year"), params.get("counted_from")
        if since_year is not None and (counted_from is None or since_year + 1 >= counted_from):
            details.append(_("%(years)s: not after the %(award)s of %(since_year)s") % {
                "years": years_text(params["excluded"]), "award": ctx.title(params.get("since_award")),
                "since_year": since_year})
        else:
            details.append(_("%(years)s: before %(year)s, when a discipline ended") % {
                "years": years_text(params["excluded"]), "year": counted_from})
    return "; ".join([_("%(condition)s: not met") % {"condition": base}, *details])


def _since_award_missing(params: Mapping, ctx: _Context) -> str:
    text = _("No %(award)s up to %(to_year)s, which the years are counted from") % {
        "award": ctx.title(params["award"]), "to_year": params["to_year"]}
    return _with_notes(text, _failure_notes(params, ctx))


def _award_held(params: Mapping, ctx: _Context) -> str:
    return _("%(award)s held (%(year)s)") % {"award": ctx.title(params["award"]), "year": params["year"]}


def _award_missing(params: Mapping, ctx: _Context) -> str:
    text = _("No %(award)s recorded") % {"award": ctx.title(params["award"])}
    return _with_notes(text, _failure_notes(params, ctx))


def _count_window(params: Mapping, ctx: _Context) -> str:
    if params.get("since_award") and params.get("since_year") is not None:
        return _("since the %(award)s of %(since_year)s, up to %(to_year)s") % {
            "award": ctx.title(params["since_award"]), "since_year": params["since_year"], "to_year": params["to_year"]}
    if params.get("from_year") is not None:
        return _("from %(from_year)s to %(to_year)s") % {"from_year": params["from_year"], "to_year": params["to_year"]}
    return _("up to %(to_year)s") % {"to_year": params["to_year"]}


def _title_count(params: Mapping, ctx: _Context, met: bool) -> str:
    values = {"count": params["count"], "title": ctx.title(params["title"]), "window": _count_window(params, ctx),
              "found": params["found"], "years": years_text(params.get("years"))}
    if met:
        return _("At least %(count)s %(title)s %(window)s: found %(found)s (%(years)s)") % values
    text = _("At least %(count)s %(title)s %(window)s are required: found only %(found)s (%(years)s)") % values
    return _with_notes(text, _failure_notes(params, ctx))


def _initiative_base(params: Mapping) -> str:
    window = (
        _("up to %(to_year)s") % {"to_year": params["to_year"]}
        if params.get("from_year") is None
        else _("from %(from_year)s to %(to_year)s") % {"from_year": params["from_year"], "to_year": params["to_year"]}
    )
    return ngettext(
        "%(count)s unused initiative recognised at %(level)s or higher, %(window)s",
        "%(count)s unused initiatives recognised at %(level)s or higher, %(window)s",
        int(params["count"]),
    ) % {"count": params["count"], "level": level_text(params["min_level"]).lower(), "window": window}


def _initiative(params: Mapping, ctx: _Context, met: bool) -> str:
    base = _initiative_base(params)
    if met:
        return _("%(condition)s: %(ids)s") % {"condition": base, "ids": ", ".join(params.get("ids") or ()) or EMPTY}
    notes = [_("%(condition)s: found %(found)s usable") % {"condition": base, "found": params.get("found", 0)}]
    if params.get("consumed"):
        notes.append(_("already used for an award: %(ids)s") % {"ids": ", ".join(params["consumed"])})
    if params.get("reserved"):
        notes.append(_("taken by another condition of this award: %(ids)s") % {"ids": ", ".join(params["reserved"])})
    if params.get("counted_from"):
        notes.append(_("achievements count only from %(year)s, after a discipline ended") % {"year": params["counted_from"]})
    return "; ".join(notes)


def _hold_text(hold: Mapping) -> str:
    values = {"kind": hold_kind_text(hold.get("kind")).lower(), "start": date_text(hold.get("start")),
              "end": date_text(hold.get("end"))}
    if hold.get("end"):
        return _("%(kind)s from %(start)s to %(end)s") % values
    return _("%(kind)s from %(start)s, not ended") % values


def _on_hold(params: Mapping, ctx: _Context) -> str:
    holds = "; ".join(_hold_text(hold) for hold in params.get("holds") or ())
    return _("On hold on %(on)s: %(holds)s") % {"on": date_text(params["on"]), "holds": holds}


def _member_share(params: Mapping, ctx: _Context, met: bool) -> str:
    values = {"count": params["count"], "total": params["total"], "percent": number_text(params["percent"]),
              "title": ctx.title(params["title"]), "min": number_text(params["min_percent"])}
    if params.get("inclusive", True):
        sentence = (_("%(count)s of %(total)s members (%(percent)s%%) hold %(title)s; at least %(min)s%% required")
                    if met else
                    _("Only %(count)s of %(total)s members (%(percent)s%%) hold %(title)s; at least %(min)s%% required"))
    else:
        sentence = (_("%(count)s of %(total)s members (%(percent)s%%) hold %(title)s; more than %(min)s%% required")
                    if met else
                    _("Only %(count)s of %(total)s members (%(percent)s%%) hold %(title)s; more than %(min)s%% required"))
    return sentence % values


def _all_members_rated(params: Mapping, ctx: _Context) -> str:
    text = _("All %(rated)s members rated this year are rated %(grade)s or better") % {
        "rated": params["rated"], "grade": grade_text(params["grade"])}
    if params.get("not_rated"):
        text = _("%(sentence)s (%(count)s not rated)") % {"sentence": text, "count": params["not_rated"]}
    return text


def _members_below(params: Mapping, ctx: _Context) -> str:
    below = list(params.get("below") or ())
    names = ", ".join(ctx.people.get(str(pid), str(pid)) for pid in below)
    return _("%(count)s of %(rated)s rated members are rated below %(grade)s: %(names)s") % {
        "count": len(below), "rated": params["rated"], "grade": grade_text(params["grade"]), "names": names}


def _simple(message: str):
    """A sentence with no parameter, marked with gettext_noop and translated when used."""
    return lambda params, ctx: _(message)


def _invalid_rule(params: Mapping, ctx: _Context) -> str:
    problems = "; ".join(
        f"{problem.get('path', '')}.{problem.get('field', '')}: {problem.get('code', '')}"
        for problem in params.get("problems") or ()
        if isinstance(problem, Mapping)
    )
    return _("The conditions of this award are faulty (%(problems)s); an administrator must correct them") % {
        "problems": problems or EMPTY}


_SENTENCES = {
    # window rules
    "title_streak_met": lambda p, c: _title_streak(p, c, True),
    "title_streak_short": lambda p, c: _title_streak(p, c, False),
    "title_times_met": lambda p, c: _title_times(p, c, "title_times_met"),
    "title_times_too_few": lambda p, c: _title_times(p, c, "title_times_too_few"),
    "title_times_gap": lambda p, c: _title_times(p, c, "title_times_gap"),
    "title_times_not_recent": lambda p, c: _title_times(p, c, "title_times_not_recent"),
    "rating_streak_met": lambda p, c: _rating_streak(p, c, True),
    "rating_streak_short": lambda p, c: _rating_streak(p, c, False),
    "since_award_missing": _since_award_missing,
    "award_held": _award_held,
    "award_missing": _award_missing,
    "title_count_met": lambda p, c: _title_count(p, c, True),
    "title_count_short": lambda p, c: _title_count(p, c, False),
    "initiative_available": lambda p, c: _initiative(p, c, True),
    "initiative_missing": lambda p, c: _initiative(p, c, False),
    # holds
    "no_active_hold": lambda p, c: _("No discipline, investigation or complaint in progress on %(on)s")
    % {"on": date_text(p["on"])},
    "on_hold": _on_hold,
    # collectives
    "member_share_met": lambda p, c: _member_share(p, c, True),
    "member_share_short": lambda p, c: _member_share(p, c, False),
    "no_members": lambda p, c: _("The collective has no members to count %(title)s among") % {"title": c.title(p["title"])},
    "all_members_rated_met": _all_members_rated,
    "members_below_grade": _members_below,
    "no_rated_members": lambda p, c: _("None of the %(total)s members was rated this year") % {"total": p["total"]},
    "member_with_title": lambda p, c: ngettext(
        "%(count)s member holds %(title)s", "%(count)s members hold %(title)s", int(p["count"])
    ) % {"count": p["count"], "title": c.title(p["title"])},
    "no_member_with_title": lambda p, c: _("No member holds %(title)s") % {"title": c.title(p["title"])},
    "cluster_lead": _simple(gettext_noop("Leads its emulation cluster")),
    "not_cluster_lead": _simple(gettext_noop("Does not lead its emulation cluster")),
    "no_campaign_result": _simple(gettext_noop("No campaign result says yet whether it leads its emulation cluster")),
    "cluster_elected": _simple(gettext_noop("Elected (suy tôn) by its emulation cluster")),
    "not_cluster_elected": _simple(gettext_noop("Not elected by its emulation cluster")),
    "no_election_result": _simple(gettext_noop("Its emulation cluster has not voted yet")),
    "not_a_collective": _simple(gettext_noop("This condition applies to collectives, not to a person")),
    # combinators
    "all_met": lambda p, c: _("All %(total)s conditions are met") % p,
    "not_all_met": lambda p, c: _("%(passed)s of %(total)s conditions are met; all are required") % p,
    "any_met": lambda p, c: _("%(passed)s of %(total)s alternatives are met; one is enough") % p,
    "none_met": lambda p, c: _("None of the %(total)s alternatives is met; one is required") % p,
    # verdicts that could not be judged
    "no_rule_in_force": lambda p, c: _("No rule for %(award)s is in force on %(on)s")
    % {"award": c.title(p["award"]), "on": date_text(p["on"])},
    "wrong_subject": lambda p, c: _("This rule is for %(expected)s, not for %(got)s")
    % {"expected": subject_text(p["expected"]), "got": subject_text(p["got"])},
    "invalid_rule": _invalid_rule,
}
MESSAGE_CODES = frozenset(_SENTENCES)


def sentence(
    check: Any, *, names: Mapping[str, str] | None = None, people: Mapping[str, str] | None = None,
    with_article: bool = True,
) -> str:
    """One check (an eligibility.Check or its as_dict()) as a sentence, with its article in brackets.

    A code this module does not know, or params that do not fit, give "code: params" rather than an
    error page."""
    code = _get(check, "message_code", "")
    params = _get(check, "params", {}) or {}
    ctx = _Context(names, people)
    render = _SENTENCES.get(code)
    try:
        text = render(params, ctx) if render is not None else f"{code}: {params}"
    except (KeyError, TypeError, ValueError):
        text = f"{code}: {params}"
    article = _get(check, "article", "")
    if with_article and article:
        return f"{text} ({article})"
    return text


@dataclass(frozen=True)
class CheckRow:
    """One line of an explanation: indented by depth, pass/fail, the sentence, evidence, article."""

    depth: int
    passed: bool
    text: str
    article: str
    evidence: tuple[str, ...]
    is_group: bool


def check_rows(
    verdict_or_check: Any, *, names: Mapping[str, str] | None = None, people: Mapping[str, str] | None = None
) -> list[CheckRow]:
    """Every condition of a verdict, depth first, ready for a table or a list."""
    root = _get(verdict_or_check, "checks", None) or verdict_or_check
    rows: list[CheckRow] = []

    def walk(check: Any, depth: int) -> None:
        children = tuple(_get(check, "children", ()) or ())
        rows.append(CheckRow(
            depth=depth,
            passed=bool(_get(check, "passed", False)),
            text=sentence(check, names=names, people=people, with_article=False),
            article=_get(check, "article", "") or "",
            evidence=tuple(_get(check, "evidence", ()) or ()),
            is_group=bool(children),
        ))
        for child in children:
            walk(child, depth + 1)

    walk(root, 0)
    return rows


def failure_summary(verdict: Any, *, names: Mapping[str, str] | None = None,
                    people: Mapping[str, str] | None = None) -> list[str]:
    """The failed leaf conditions of a verdict as sentences with their articles: the "why not"."""
    root = _get(verdict, "checks", None) or verdict
    found: list[str] = []

    def walk(check: Any) -> None:
        children = tuple(_get(check, "children", ()) or ())
        if _get(check, "passed", False):
            return
        if not children:
            found.append(sentence(check, names=names, people=people))
        for child in children:
            walk(child)

    walk(root)
    return found


# --- A rule tree as readable conditions (the catalogue) --------------------------------------------


def _ending(rule: Any) -> str:
    if _get(rule, "ending", eligibility.ENDING_YEAR) == eligibility.ENDING_PREVIOUS:
        return _("the year before the proposal year")
    return _("the proposal year")


def _rule_text(rule: Any, names: Mapping[str, str]) -> str:
    ctx = _Context(names, None)
    kind = type(rule).__name__
    if isinstance(rule, eligibility.HoldsTitle):
        if rule.years == 1:
            return _("%(title)s in %(end)s") % {"title": ctx.title(rule.title), "end": _ending(rule)}
        return _("%(title)s in %(years)s consecutive years ending in %(end)s") % {
            "title": ctx.title(rule.title), "years": rule.years, "end": _ending(rule)}
    if isinstance(rule, eligibility.HoldsTitleTimes):
        values = {"title": ctx.title(rule.title), "times": rule.times, "period": rule.period, "end": _ending(rule)}
        if rule.consecutive:
            return _("%(title)s %(times)s times, each within %(period)s years of the previous one, the latest in "
                     "%(end)s") % values
        return _("%(title)s at least %(times)s times up to %(end)s") % values
    if isinstance(rule, eligibility.RatedAtLeast):
        values = {"grade": grade_text(rule.grade), "years": rule.years, "end": _ending(rule),
                  "award": ctx.title(rule.since_award)}
        text = (_("Rated %(grade)s or better in %(end)s") % values if rule.years == 1 else
                _("Rated %(grade)s or better in %(years)s consecutive years ending in %(end)s") % values)
        if rule.since_award:
            text = _("%(condition)s, all after the latest %(award)s") % {"condition": text, "award": values["award"]}
        return text
    if isinstance(rule, eligibility.HasAward):
        return _("Holds a %(award)s (for merit)") % {"award": ctx.title(rule.award)}
    if isinstance(rule, eligibility.TitleCountInWindow):
        values = {"count": rule.count, "title": ctx.title(rule.title), "award": ctx.title(rule.window_from_award),
                  "years": rule.years, "end": _ending(rule)}
        if rule.window_from_award and rule.years:
            return _("At least %(count)s %(title)s after the latest %(award)s, within the %(years)s years ending in "
                     "%(end)s") % values
        if rule.window_from_award:
            return _("At least %(count)s %(title)s after the latest %(award)s, up to %(end)s") % values
        if rule.years:
            return _("At least %(count)s %(title)s in the %(years)s years ending in %(end)s") % values
        return _("At least %(count)s %(title)s up to %(end)s") % values
    if isinstance(rule, eligibility.HasInitiative):
        text = ngettext(
            "%(count)s unused initiative recognised at %(level)s or higher",
            "%(count)s unused initiatives recognised at %(level)s or higher",
            rule.count,
        ) % {"count": rule.count, "level": level_text(rule.min_level).lower()}
        if rule.within_years:
            text = _("%(condition)s, from the last %(years)s years") % {"condition": text, "years": rule.within_years}
        return text
    if isinstance(rule, eligibility.NotOnHold):
        return _("Not under discipline, investigation or complaint on the reference date")
    if isinstance(rule, eligibility.ShareOfMembersWithTitle):
        values = {"min": number_text(rule.min_percent), "title": ctx.title(rule.title)}
        if rule.inclusive:
            return _("At least %(min)s%% of the members hold %(title)s") % values
        return _("More than %(min)s%% of the members hold %(title)s") % values
    if isinstance(rule, eligibility.AllMembersRatedAtLeast):
        return _("Every member rated that year is rated %(grade)s or better") % {"grade": grade_text(rule.grade)}
    if isinstance(rule, eligibility.AtLeastOneMemberWithTitle):
        return _("At least one member holds %(title)s") % {"title": ctx.title(rule.title)}
    if isinstance(rule, eligibility.UnitRatedAtLeast):
        if rule.years == 1:
            return _("The collective is rated %(grade)s or better in the proposal year") % {"grade": grade_text(rule.grade)}
        return _("The collective is rated %(grade)s or better in %(years)s consecutive years ending in the proposal "
                 "year") % {"grade": grade_text(rule.grade), "years": rule.years}
    if isinstance(rule, eligibility.LeadsCluster):
        return _("Leads its emulation cluster in the year's campaign results")
    if isinstance(rule, eligibility.ElectedByCluster):
        return _("Elected (suy tôn) by its emulation cluster")
    if isinstance(rule, eligibility.All):
        return _("All of the following")
    if isinstance(rule, eligibility.Any):
        return _("One of the following")
    return _("A condition the portal cannot read (%(kind)s)") % {"kind": kind}


@dataclass(frozen=True)
class RuleRow:
    depth: int
    text: str
    article: str


def rule_rows(rule: Any, *, names: Mapping[str, str] | None = None) -> list[RuleRow]:
    """A rule tree as indented conditions; each row shows the article written on that node."""
    rows: list[RuleRow] = []
    names = names or {}

    def walk(node: Any, depth: int) -> None:
        rows.append(RuleRow(depth, _rule_text(node, names), getattr(node, "article", "") or ""))
        for child in getattr(node, "rules", ()) or ():
            walk(child, depth + 1)

    walk(rule, 0)
    return rows
