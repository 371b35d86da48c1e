"""Scoring schemes as data: the stable JSON format (docs/scheme-format.md), conversion to the pure
engine's structures, and the services that create, clone, import and freeze schemes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emulation import engine
from emulation.enums import GROUP_KINDS, NodeKind, TieBreakKind
from emulation.models import Scheme, SchemeGrade, SchemeGradeCap, SchemeNode, SchemeTieBreaker
from portal.audit import audit_log

FORMAT = "tdkt-portal/scheme"
FORMAT_VERSION = 1
NODE_FIELDS = ("key", "code", "title", "guidance", "kind", "max_points", "step", "tiers", "formula", "inputs",
               "measure", "gate", "requires_evidence")
MAX_NODES = 2000
# A step is stored in 6 digits with 2 decimals (at most 9999.99), fewer than a maximum's 8.
_STEP = SchemeNode._meta.get_field("step")
STEP_LIMIT = Decimal(10) ** (_STEP.max_digits - _STEP.decimal_places)
# A node key is how tie-breakers, imports and clones name a line ("A.I.1"); ":" separates a key from
# an input name in tie-breaker references, so it is not allowed in keys.
KEY_PATTERN = re.compile(r"[\w.\-]+")


def key_message() -> str:
    return _("use letters, digits, “.”, “-” and “_” only (no spaces), for example A.I.1")


class SchemeError(Exception):
    """A scheme could not be saved; `problems` lists (path, message) pairs for the user."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


# --- Export ----------------------------------------------------------------------------------


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """The scheme in the versioned JSON format; import(export(s)) reproduces s exactly."""
    nodes = list(scheme.nodes.order_by("position", "id"))
    children: dict[int | None, list[SchemeNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def node_dict(node: SchemeNode) -> dict[str, Any]:
        return {
            "key": node.key,
            "code": node.code,
            "title": node.title,
            "guidance": node.guidance,
            "kind": node.kind,
            "max_points": _decimal_text(node.max_points),
            "step": _decimal_text(node.step),
            "tiers": node.tiers,
            "formula": node.formula,
            "inputs": node.inputs,
            "measure": node.measure,
            "gate": node.gate,
            "requires_evidence": node.requires_evidence,
            "children": [node_dict(child) for child in children.get(node.pk, [])],
        }

    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "scheme": {
            "name": scheme.name,
            "year": scheme.year,
            "legal_basis": scheme.legal_basis,
            "description": scheme.description,
        },
        "nodes": [node_dict(node) for node in children.get(None, [])],
        "grades": [
            {"key": g.key, "label": g.label, "min_total": _decimal_text(g.min_total), "no_zero_lines": g.no_zero_lines}
            for g in scheme.grades.order_by("position", "id")
        ],
        "grade_caps": [
            {"flag": c.flag, "label": c.label, "max_grade": c.max_grade} for c in scheme.grade_caps.order_by("flag")
        ],
        "tie_breakers": [
            {"kind": t.kind, "ref": t.ref, "descending": t.descending} for t in scheme.tie_breakers.order_by("position", "id")
        ],
    }


# --- Parsing and validation --------------------------------------------------------------------


class _Reader:
    """Checks an untrusted dict field by field, collecting every problem with its path."""

    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def text(self, data: dict, name: str, path: str, *, required: bool = False, max_length: int = 500) -> str:
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{path}.{name}", _("must be text"))
            return ""
        if required and not value.strip():
            self.fail(f"{path}.{name}", _("is required"))
        if len(value) > max_length:
            self.fail(f"{path}.{name}", _("is longer than %(max)d characters") % {"max": max_length})
        return value

    def decimal(self, data: dict, name: str, path: str, *, required: bool = False, places: int | None = None) -> Decimal | None:
        value = data.get(name)
        if value is None or value == "":
            if required:
                self.fail(f"{path}.{name}", _("is required"))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(f"{path}.{name}", _("must be a number"))
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{path}.{name}", _("“%(value)s” is not a number") % {"value": value})
            return None
        if not number.is_finite() or number < 0 or number >= Decimal("1000000"):
            self.fail(f"{path}.{name}", _("must be a number between 0 and 999999"))
            return None
        if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
            self.fail(f"{path}.{name}", _("may have at most %(places)d decimal places") % {"places": places})
            return None
        return number

    def boolean(self, data: dict, name: str, path: str, *, default: bool = False) -> bool:
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{name}", _("must be true or false"))
            return False
        return value

    def list_of(self, data: dict, name: str, path: str) -> list:
        value = data.get(name, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{path}.{name}", _("must be a list"))
            return []
        return value


def parse_scheme(data: Any) -> dict[str, Any]:
    """Check a scheme document (from JSON or Excel) and return it cleaned; raise SchemeError with
    every problem found (structure first, then the engine's own validation)."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise SchemeError([("", _("The file does not contain a scheme (a JSON object is expected)."))])
    if data.get("format") != FORMAT:
        reader.fail("format", _("must be “%(format)s”") % {"format": FORMAT})
    if data.get("version") != FORMAT_VERSION:
        reader.fail("version", _("version %(version)s is not supported") % {"version": data.get("version")})
    head = data.get("scheme") if isinstance(data.get("scheme"), dict) else {}
    if not isinstance(data.get("scheme"), dict):
        reader.fail("scheme", _("is required"))
    year = head.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        reader.fail("scheme.year", _("must be a year between 1990 and 2100"))
        year = 0
    cleaned = {
        "scheme": {
            "name": reader.text(head, "name", "scheme", required=True, max_length=300),
            "year": year,
            "legal_basis": reader.text(head, "legal_basis", "scheme", max_length=300),
            "description": reader.text(head, "description", "scheme", max_length=5000),
        }
    }
    seen_keys: set[str] = set()
    key_paths: dict[str, str] = {}
    count = 0

    def node(raw: Any, path: str, depth: int) -> dict[str, Any] | None:
        nonlocal count
        count += 1
        if not isinstance(raw, dict):
            reader.fail(path, _("must be an object"))
            return None
        if depth > 8:
            reader.fail(path, _("the table is nested more than 8 levels deep"))
            return None
        key = reader.text(raw, "key", path, required=True, max_length=60)
        if key and not KEY_PATTERN.fullmatch(key):
            reader.fail(f"{path}.key", key_message())
        elif key in seen_keys:
            reader.fail(f"{path}.key", _("“%(key)s” is used twice") % {"key": key})
        if key:
            seen_keys.add(key)
            key_paths.setdefault(key, path)
        kind = raw.get("kind")
        if kind not in NodeKind.values:
            reader.fail(f"{path}.kind", _("“%(kind)s” is not a scoring kind") % {"kind": kind})
        tiers = []
        for index, tier in enumerate(reader.list_of(raw, "tiers", path)):
            tier_path = f"{path}.tiers[{index}]"
            if not isinstance(tier, dict):
                reader.fail(tier_path, _("must be an object"))
                continue
            points = reader.decimal(tier, "points", tier_path, required=True, places=2)
            lower = reader.decimal(tier, "lower", tier_path)
            upper = reader.decimal(tier, "upper", tier_path)
            tiers.append(
                {
                    "points": _decimal_text(points) if points is not None else "0",
                    "lower": _decimal_text(lower),
                    "upper": _decimal_text(upper),
                    "lower_inclusive": reader.boolean(tier, "lower_inclusive", tier_path, default=True),
                    "upper_inclusive": reader.boolean(tier, "upper_inclusive", tier_path),
                }
            )
        inputs = reader.list_of(raw, "inputs", path)
        if any(not isinstance(name, str) or not name.isidentifier() for name in inputs):
            reader.fail(f"{path}.inputs", _("input names must be simple identifiers such as a, b or reports_on_time"))
            inputs = [name for name in inputs if isinstance(name, str) and name.isidentifier()]
        children_raw = reader.list_of(raw, "children", path)
        if not (isinstance(kind, str) and kind in GROUP_KINDS) and children_raw:  # a list or object is no kind either
            reader.fail(f"{path}.children", _("only sections, bonus and deduction groups can have lines under them"))
        return {
            "key": key,
            "code": reader.text(raw, "code", path, max_length=20),
            "title": reader.text(raw, "title", path, required=True, max_length=5000),
            "guidance": reader.text(raw, "guidance", path, max_length=10000),
            "kind": kind if kind in NodeKind.values else NodeKind.MANUAL,
            "max_points": reader.decimal(raw, "max_points", path, places=2),
            "step": _step(reader, raw, path),
            "tiers": tiers,
            "formula": reader.text(raw, "formula", path, max_length=500),
            "inputs": inputs,
            "measure": reader.text(raw, "measure", path, max_length=100),
            "gate": reader.text(raw, "gate", path, max_length=60),
            "requires_evidence": reader.boolean(raw, "requires_evidence", path),
            "children": [
                child
                for index, item in enumerate(children_raw)
                if (child := node(item, f"{path}.children[{index}]", depth + 1)) is not None
            ],
        }

    cleaned["nodes"] = [
        item for index, raw in enumerate(reader.list_of(data, "nodes", "")) if (item := node(raw, f"nodes[{index}]", 1))
    ]
    if not cleaned["nodes"]:
        reader.fail("nodes", _("the scheme has no lines"))
    if count > MAX_NODES:
        reader.fail("nodes", _("a scheme may have at most %(max)d lines") % {"max": MAX_NODES})
    cleaned["grades"] = []
    for index, raw in enumerate(reader.list_of(data, "grades", "")):
        path = f"grades[{index}]"
        raw = raw if isinstance(raw, dict) else {}
        cleaned["grades"].append(
            {
                "key": reader.text(raw, "key", path, required=True, max_length=40),
                "label": reader.text(raw, "label", path, required=True, max_length=200),
                "min_total": reader.decimal(raw, "min_total", path, required=True, places=2),
                "no_zero_lines": reader.boolean(raw, "no_zero_lines", path),
            }
        )
    cleaned["grade_caps"] = []
    for index, raw in enumerate(reader.list_of(data, "grade_caps", "")):
        path = f"grade_caps[{index}]"
        raw = raw if isinstance(raw, dict) else {}
        cleaned["grade_caps"].append(
            {
                "flag": reader.text(raw, "flag", path, required=True, max_length=60),
                "label": reader.text(raw, "label", path, required=True, max_length=300),
                "max_grade": reader.text(raw, "max_grade", path, required=True, max_length=40),
            }
        )
    cleaned["tie_breakers"] = []
    for index, raw in enumerate(reader.list_of(data, "tie_breakers", "")):
        path = f"tie_breakers[{index}]"
        raw = raw if isinstance(raw, dict) else {}
        kind = raw.get("kind")
        if kind not in TieBreakKind.values:
            reader.fail(f"{path}.kind", _("“%(kind)s” is not a tie-break measure") % {"kind": kind})
        cleaned["tie_breakers"].append(
            {
                "kind": kind if kind in TieBreakKind.values else TieBreakKind.NODE,
                "ref": reader.text(raw, "ref", path, required=True, max_length=120),
                "descending": reader.boolean(raw, "descending", path, default=True),
            }
        )
    if reader.problems:
        raise SchemeError(reader.problems)
    problems = [p for p in engine.validate(engine_scheme_from_dict(cleaned)) if p.level == "error"]
    if problems:
        raise SchemeError([(_problem_path(problem, key_paths, cleaned), describe_problem(problem)) for problem in problems])
    return cleaned


def _step(reader: _Reader, raw: dict, path: str) -> Decimal | None:
    step = reader.decimal(raw, "step", path, places=2)
    if step is not None and step >= STEP_LIMIT:
        from emulation.explain import number

        reader.fail(f"{path}.step", _("must be a number between 0 and %(max)s") % {"max": number(STEP_LIMIT - Decimal("0.01"))})
        return None
    return step


RULE_PROBLEMS = {
    "duplicate_grade": "grades",
    "grades_not_descending": "grades",
    "cap_unknown_grade": "grade_caps",
    "tie_breaker_unknown_kind": "tie_breakers",
    "tie_breaker_unknown_node": "tie_breakers",
    "tie_breaker_bad_ref": "tie_breakers",
}


def _problem_path(problem, key_paths: dict[str, str], cleaned: dict[str, Any]) -> str:
    """Where an engine problem sits in the document: "nodes[0].children[2] (A.I.2)", "grades[1]"..."""
    section = RULE_PROBLEMS.get(problem.code)
    if section is not None:
        attribute = {"grades": "key", "grade_caps": "flag", "tie_breakers": "ref"}[section]
        for index, item in enumerate(cleaned.get(section, [])):
            if item.get(attribute) == problem.key:
                return f"{section}[{index}]"
        return section
    if problem.key in key_paths:
        field = PROBLEM_FIELDS.get(problem.code)
        return f"{key_paths[problem.key]}{'.' + field if field else ''} ({problem.key})"
    return problem.key or ""


# The field of a node that an engine problem is about (to point at it in a file).
PROBLEM_FIELDS = {
    "negative_max": "max_points", "missing_cap": "max_points", "missing_max": "max_points",
    "invalid_step": "step", "max_not_a_step": "step", "missing_tiers": "tiers", "negative_points": "tiers",
    "tier_points_exceed_max": "tiers", "tier_empty": "tiers", "missing_measure": "measure",
    "missing_formula": "formula", "invalid_input_name": "inputs", "formula_syntax": "formula",
    "formula_not_allowed": "formula", "formula_unknown_name": "formula", "duplicate_key": "key",
    "unknown_kind": "kind", "leaf_has_children": "kind", "empty_key": "key",
}


# --- Conversion to the engine -----------------------------------------------------------------


def _tier(raw: dict) -> engine.Tier:
    return engine.Tier(
        points=Decimal(raw["points"]),
        lower=None if raw.get("lower") is None else Decimal(raw["lower"]),
        upper=None if raw.get("upper") is None else Decimal(raw["upper"]),
        lower_inclusive=raw.get("lower_inclusive", True),
        upper_inclusive=raw.get("upper_inclusive", False),
    )


def _engine_node(raw: dict, children: tuple) -> engine.Node:
    return engine.Node(
        key=raw["key"],
        kind=raw["kind"],
        title=raw.get("title", ""),
        max_points=raw.get("max_points") if not isinstance(raw.get("max_points"), str) else Decimal(raw["max_points"]),
        children=children,
        step=raw.get("step") if not isinstance(raw.get("step"), str) else Decimal(raw["step"]),
        tiers=tuple(_tier(t) for t in raw.get("tiers") or ()),
        formula=raw.get("formula", ""),
        inputs=tuple(raw.get("inputs") or ()),
        measure=raw.get("measure", ""),
        gate=raw.get("gate", ""),
        requires_evidence=raw.get("requires_evidence", False),
    )


ROOT_KEY = "__total__"


def engine_scheme_from_dict(cleaned: dict[str, Any]) -> engine.Scheme:
    def build(raw: dict) -> engine.Node:
        return _engine_node(raw, tuple(build(child) for child in raw.get("children", [])))

    root = engine.Node(key=ROOT_KEY, kind="group", title="", children=tuple(build(n) for n in cleaned["nodes"]))
    return _with_rules(root, cleaned["grades"], cleaned["grade_caps"], cleaned["tie_breakers"])


def _with_rules(root, grades, caps, tie_breakers) -> engine.Scheme:
    return engine.Scheme(
        root=root,
        grades=tuple(
            engine.Grade(key=g["key"], label=g["label"], min_total=Decimal(str(g["min_total"])), no_zero_lines=g["no_zero_lines"])
            for g in grades
        ),
        caps=tuple(engine.GradeCap(flag=c["flag"], max_grade=c["max_grade"]) for c in caps),
        tie_breakers=tuple(engine.TieBreaker(kind=t["kind"], ref=t["ref"], descending=t["descending"]) for t in tie_breakers),
    )


def engine_scheme(scheme: Scheme, *, nodes: list[SchemeNode] | None = None, rules: tuple | None = None) -> engine.Scheme:
    """The stored scheme as the engine's structure (4 queries: nodes, grades, caps, tie-breakers;
    none for what the caller already holds: `nodes`, `rules` = (grades, caps, tie-breakers) rows)."""
    return engine_scheme_from_dict(_stored_dict(scheme, nodes=nodes, rules=rules))


# Part of every key of what is cached from a frozen scheme: raise it when the engine's structures or
# the rules' wording change shape, so a release never reads what an older one cached.
SCHEME_CACHE_VERSION = 1


def scheme_cache_key(scheme: Scheme) -> str | None:
    """A key naming a frozen scheme as it is for good (None while it can still change)."""
    if not scheme.is_frozen:
        return None
    return f"v{SCHEME_CACHE_VERSION}.{scheme.pk}.{scheme.edit_version}.{scheme.frozen_at.timestamp():.6f}"


def frozen_engine_scheme(scheme: Scheme) -> engine.Scheme:
    """``engine_scheme``, kept in the shared cache once the scheme is frozen (it never changes then):
    every scorecard page and save of a campaign builds the same 300-line structure otherwise."""
    key = scheme_cache_key(scheme)
    if key is None:
        return engine_scheme(scheme)
    cache_key = f"emulation.engine_scheme:{key}"
    found = cache.get(cache_key)
    if found is None:
        found = engine_scheme(scheme)
        cache.set(cache_key, found, 24 * 3600)
    return found


def _stored_dict(scheme: Scheme, *, nodes: list[SchemeNode] | None = None, rules: tuple | None = None) -> dict[str, Any]:
    if nodes is None:
        nodes = list(scheme.nodes.order_by("position", "id"))
    else:
        nodes = sorted(nodes, key=lambda node: (node.position, node.pk))
    by_parent: dict[int | None, list[SchemeNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def as_dict(node: SchemeNode) -> dict[str, Any]:
        raw = {name: getattr(node, name) for name in NODE_FIELDS}
        raw["children"] = [as_dict(child) for child in by_parent.get(node.pk, [])]
        return raw

    if rules is None:
        rules = (scheme.grades.order_by("position", "id"), scheme.grade_caps.all(), scheme.tie_breakers.order_by("position", "id"))
    grades, caps, tie_breakers = rules
    return {
        "nodes": [as_dict(node) for node in by_parent.get(None, [])],
        "grades": [
            {"key": g.key, "label": g.label, "min_total": g.min_total, "no_zero_lines": g.no_zero_lines} for g in grades
        ],
        "grade_caps": [{"flag": c.flag, "label": c.label, "max_grade": c.max_grade} for c in caps],
        "tie_breakers": [{"kind": t.kind, "ref": t.ref, "descending": t.descending} for t in tie_breakers],
    }


def describe_problem(problem) -> str:
    """A validation problem from the engine, as a sentence for the user."""
    from emulation.explain import problem_sentence

    return problem_sentence(problem)


# --- Services ----------------------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not actor.has_perm("emulation.manage_schemes"):
        raise PermissionDenied("emulation.manage_schemes")


@transaction.atomic
def scheme_create_from_dict(*, actor, data: Any, action: str = "emulation.scheme.imported", source: Scheme | None = None) -> Scheme:
    """Create a new scheme (never changes an existing one) from a document; all or nothing."""
    _require_admin(actor)
    cleaned = parse_scheme(data)
    head = cleaned["scheme"]
    version = (
        Scheme.objects.filter(name=head["name"], year=head["year"]).order_by("-version").values_list("version", flat=True).first()
        or 0
    ) + 1
    scheme = Scheme.objects.create(version=version, cloned_from=source, **head)

    def create(raw: dict, parent: SchemeNode | None, position: int) -> None:
        node = SchemeNode.objects.create(
            scheme=scheme, parent=parent, position=position, **{name: raw[name] for name in NODE_FIELDS}
        )
        for index, child in enumerate(raw["children"]):
            create(child, node, index)

    for index, raw in enumerate(cleaned["nodes"]):
        create(raw, None, index)
    SchemeGrade.objects.bulk_create(
        [SchemeGrade(scheme=scheme, position=i, **g) for i, g in enumerate(cleaned["grades"])]
    )
    SchemeGradeCap.objects.bulk_create([SchemeGradeCap(scheme=scheme, **c) for c in cleaned["grade_caps"]])
    SchemeTieBreaker.objects.bulk_create(
        [SchemeTieBreaker(scheme=scheme, position=i, **t) for i, t in enumerate(cleaned["tie_breakers"])]
    )
    data_log = {"source": str(source)} if source else {}
    audit_log(actor=actor, obj=scheme, action=action, data=data_log)
    return scheme


def scheme_clone(*, actor, scheme: Scheme, year: int | None = None, name: str | None = None) -> Scheme:
    """Clone last year's table as this year's draft: a new, unfrozen scheme to edit."""
    document = scheme_to_dict(scheme)
    document["scheme"]["year"] = year or scheme.year
    document["scheme"]["name"] = name or scheme.name
    return scheme_create_from_dict(actor=actor, data=document, action="emulation.scheme.cloned", source=scheme)


def scheme_freeze(*, actor, scheme_id: int) -> Scheme:
    """Freeze a scheme (done when a campaign using it opens); later changes need a new version."""
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme_id)
        if scheme.frozen_at is None:
            scheme.frozen_at = timezone.now()
            scheme.save(update_fields=["frozen_at"])
            audit_log(actor=actor, obj=scheme, action="emulation.scheme.frozen")
    return scheme


# --- The scheme editor's services -----------------------------------------------------------------
# Every change below locks the scheme row, refuses a frozen scheme, checks the editor's copy of
# Scheme.edit_version (optimistic locking: a second admin working from an older page gets a
# conflict instead of silently undoing the first one's work), bumps it and writes one audit entry.


class SchemeFrozenError(SchemeError):
    """The scheme is frozen (a campaign using it has opened); changes need a new version."""


@dataclass(frozen=True)
class NodeData:
    """The editable fields of a scheme line, already checked by the form (tiers as stored)."""

    key: str
    code: str
    title: str
    kind: str
    guidance: str = ""
    max_points: Decimal | None = None
    step: Decimal | None = None
    tiers: list[dict[str, Any]] = field(default_factory=list)
    formula: str = ""
    inputs: list[str] = field(default_factory=list)
    measure: str = ""
    gate: str = ""
    requires_evidence: bool = False

    def as_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in NODE_FIELDS}


def tier_dict(*, points: Decimal, lower: Decimal | None, upper: Decimal | None, lower_inclusive: bool = True,
              upper_inclusive: bool = False) -> dict[str, Any]:
    """A tier as stored on SchemeNode.tiers and written in the JSON format."""
    return {
        "points": _decimal_text(points),
        "lower": _decimal_text(lower),
        "upper": _decimal_text(upper),
        "lower_inclusive": bool(lower_inclusive),
        "upper_inclusive": bool(upper_inclusive),
    }


def _frozen_message(scheme: Scheme) -> str:
    from django.utils.formats import date_format

    return _(
        "The scheme “%(scheme)s” has been frozen since %(date)s because a campaign using it has opened; "
        "create a new version to change it."
    ) % {"scheme": scheme, "date": date_format(timezone.localtime(scheme.frozen_at), "SHORT_DATE_FORMAT")}


def _lock_editable(*, actor, scheme_id: int, edit_version: int | None) -> Scheme:
    """The scheme row, locked, after the permission, freeze and version checks."""
    from portal.services import StaleVersionError

    _require_admin(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme_id)
    if scheme.is_frozen:
        raise SchemeFrozenError([("", _frozen_message(scheme))])
    if edit_version is not None and scheme.edit_version != edit_version:
        raise StaleVersionError(scheme)
    return scheme


def _changed(*, actor, scheme: Scheme, data: dict[str, Any]) -> None:
    scheme.edit_version += 1
    scheme.save(update_fields=["edit_version"])
    audit_log(actor=actor, obj=scheme, action="emulation.scheme.changed", data=data)


def _node_label(node: SchemeNode) -> str:
    return f"{node.code} {node.title[:80]}".strip() if node.code else f"{node.key} {node.title[:80]}".strip()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return value


def _check_node_data(scheme: Scheme, data: NodeData, *, node: SchemeNode | None) -> None:
    problems = []
    if not KEY_PATTERN.fullmatch(data.key or ""):
        problems.append(("key", _("The key must not be empty; %(rule)s.") % {"rule": key_message()}))
    elif scheme.nodes.filter(key=data.key).exclude(pk=node.pk if node else None).exists():
        problems.append(("key", _("Another line of this scheme already has the key “%(key)s”.") % {"key": data.key}))
    if data.kind not in NodeKind.values:
        problems.append(("kind", _("“%(kind)s” is not a scoring kind.") % {"kind": data.kind}))
    elif node is not None and data.kind not in GROUP_KINDS and node.children.exists():
        problems.append(
            ("kind", _("This line has lines under it, so it must stay a section, a bonus group or a deduction group."))
        )
    if problems:
        raise SchemeError(problems)


def _unique_key(scheme: Scheme, base: str) -> str:
    base = re.sub(r"[^\w.\-]+", "-", base).strip("-.") or "L"
    base = base[:50]
    taken = set(scheme.nodes.filter(key__startswith=base).values_list("key", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def suggest_key(scheme: Scheme, *, parent: SchemeNode | None, code: str) -> str:
    """A new line's key from its parent's key and its printed number: "A.I" + "1" → "A.I.1"."""
    code = re.sub(r"[^\w.\-]+", "", code or "").strip(".")
    if not code:
        code = str(scheme.nodes.count() + 1)
    return _unique_key(scheme, f"{parent.key}.{code}" if parent is not None else code)


def _renumber(nodes: list[SchemeNode]) -> None:
    changed = []
    for index, node in enumerate(nodes):
        if node.position != index:
            node.position = index
            changed.append(node)
    if changed:
        SchemeNode.objects.bulk_update(changed, ["position"])


def _siblings(scheme: Scheme, parent_id: int | None) -> list[SchemeNode]:
    return list(scheme.nodes.filter(parent_id=parent_id).order_by("position", "id"))


@transaction.atomic
def scheme_create(*, actor, name: str, year: int, legal_basis: str = "", description: str = "") -> Scheme:
    """A new, empty scheme (the next version when the name and year exist already)."""
    _require_admin(actor)
    version = (Scheme.objects.filter(name=name, year=year).aggregate(top=models.Max("version"))["top"] or 0) + 1
    scheme = Scheme.objects.create(name=name, year=year, version=version, legal_basis=legal_basis, description=description)
    audit_log(actor=actor, obj=scheme, action="emulation.scheme.created")
    return scheme


SCHEME_HEAD_FIELDS = ("name", "year", "legal_basis", "description")


def scheme_update(*, actor, scheme_id: int, edit_version: int, data: dict[str, Any]) -> Scheme:
    """Change the scheme's name, year, legal basis or description."""
    from django.db import IntegrityError

    from portal.audit import field_changes

    try:
        with transaction.atomic():
            scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
            before = {name: getattr(scheme, name) for name in SCHEME_HEAD_FIELDS}
            for name in SCHEME_HEAD_FIELDS:
                if name in data:
                    setattr(scheme, name, data[name])
            changes = field_changes(before, {name: getattr(scheme, name) for name in SCHEME_HEAD_FIELDS})
            if not changes:
                return scheme
            scheme.save(update_fields=list(SCHEME_HEAD_FIELDS))
            _changed(actor=actor, scheme=scheme, data={"operation": "scheme_updated", "changes": changes})
    except IntegrityError as error:
        raise SchemeError(
            [("name", _("Another scheme already has this name, year and version; choose another name."))]
        ) from error
    return scheme


def node_create(
    *, actor, scheme_id: int, edit_version: int | None, data: NodeData, parent_id: int | None = None,
    position: int | None = None,
) -> SchemeNode:
    """Add a line under `parent_id` (None: at the top of the table), last unless `position` is given."""
    with transaction.atomic():
        scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
        parent = None
        if parent_id is not None:
            parent = scheme.nodes.filter(pk=parent_id).first()
            if parent is None:
                raise SchemeError([("parent", _("The section chosen is not part of this scheme."))])
            if parent.kind not in GROUP_KINDS:
                raise SchemeError(
                    [("parent", _("Lines can only be added under a section, a bonus group or a deduction group."))]
                )
        _check_node_data(scheme, data, node=None)
        siblings = _siblings(scheme, parent_id)
        if position is None or not 0 <= position <= len(siblings):
            position = len(siblings)
        node = SchemeNode(scheme=scheme, parent=parent, position=position, **data.as_fields())
        node.save()
        siblings.insert(position, node)
        _renumber(siblings)
        _changed(
            actor=actor, scheme=scheme,
            data={"operation": "line_added", "line": _node_label(node), "key": node.key,
                  "parent": parent.key if parent else None},
        )
    return node


def node_update(*, actor, node_id: int, edit_version: int | None, data: NodeData) -> SchemeNode:
    """Save a line's fields; a changed key is carried over to the tie-breakers that name it."""
    with transaction.atomic():
        scheme_id = SchemeNode.objects.values_list("scheme_id", flat=True).get(pk=node_id)
        scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
        node = scheme.nodes.get(pk=node_id)
        _check_node_data(scheme, data, node=node)
        before = {name: _jsonable(getattr(node, name)) for name in NODE_FIELDS}
        for name, value in data.as_fields().items():
            setattr(node, name, value)
        node.save()
        after = {name: _jsonable(getattr(node, name)) for name in NODE_FIELDS}
        changes = {name: [before[name], after[name]] for name in NODE_FIELDS if before[name] != after[name]}
        if not changes:
            return node
        if "key" in changes:
            _rename_tie_breakers(scheme, before["key"], node.key)
        _changed(
            actor=actor, scheme=scheme,
            data={"operation": "line_changed", "line": _node_label(node), "key": node.key, "changes": changes},
        )
    return node


def _rename_tie_breakers(scheme: Scheme, old: str, new: str) -> None:
    for breaker in scheme.tie_breakers.all():
        ref = breaker.ref
        if breaker.kind == TieBreakKind.NODE and ref == old:
            breaker.ref = new
        elif breaker.kind == TieBreakKind.INPUT and ref.partition(":")[0] == old:
            breaker.ref = f"{new}:{ref.partition(':')[2]}"
        else:
            continue
        breaker.save(update_fields=["ref"])


MOVES = ("up", "down", "indent", "outdent")


def node_move(
    *, actor, node_id: int, edit_version: int | None, direction: str | None = None, parent_id: int | None = None,
    position: int | None = None,
) -> SchemeNode:
    """Move a line with its sub-lines: one place up or down among its siblings, indent (into the
    section just above it, last), outdent (out of its section, just after it), or, without a
    direction, under `parent_id` (None: the top of the table) at `position` (default: last)."""
    with transaction.atomic():
        scheme_id = SchemeNode.objects.values_list("scheme_id", flat=True).get(pk=node_id)
        scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
        node = scheme.nodes.select_related("parent").get(pk=node_id)
        old_parent = node.parent
        siblings = _siblings(scheme, node.parent_id)
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == node.pk)
        if direction == "up":
            if index == 0:
                raise SchemeError([("", _("This line is already the first of its section."))])
            siblings[index - 1], siblings[index] = siblings[index], siblings[index - 1]
            _renumber(siblings)
        elif direction == "down":
            if index == len(siblings) - 1:
                raise SchemeError([("", _("This line is already the last of its section."))])
            siblings[index + 1], siblings[index] = siblings[index], siblings[index + 1]
            _renumber(siblings)
        elif direction == "indent":
            target = siblings[index - 1] if index > 0 else None
            if target is None or target.kind not in GROUP_KINDS:
                raise SchemeError(
                    [("", _("A line can only be indented under a section, bonus or deduction group just above it."))]
                )
            _reparent(scheme, node, siblings, target, None)
        elif direction == "outdent":
            if old_parent is None:
                raise SchemeError([("", _("This line is already at the top level of the table."))])
            outer = _siblings(scheme, old_parent.parent_id)
            place = next(i for i, sibling in enumerate(outer) if sibling.pk == old_parent.pk) + 1
            _reparent(scheme, node, siblings, old_parent.parent, place)
        elif direction is None:
            target = None
            if parent_id is not None:
                target = scheme.nodes.filter(pk=parent_id).first()
                if target is None:
                    raise SchemeError([("parent", _("The section chosen is not part of this scheme."))])
                if target.kind not in GROUP_KINDS:
                    raise SchemeError(
                        [("parent", _("Lines can only be moved under a section, a bonus group or a deduction group."))]
                    )
                if target.pk == node.pk or _is_descendant(scheme, target, node):
                    raise SchemeError([("parent", _("A line cannot be moved under itself or one of its own lines."))])
            if (target.pk if target else None) == node.parent_id:
                siblings.pop(index)
                place = len(siblings) if position is None else max(0, min(position, len(siblings)))
                siblings.insert(place, node)
                _renumber(siblings)
            else:
                _reparent(scheme, node, siblings, target, position)
        else:
            raise SchemeError([("", _("Unknown move."))])
        node.refresh_from_db(fields=["parent", "position"])
        new_parent = node.parent
        _changed(
            actor=actor, scheme=scheme,
            data={
                "operation": "line_moved", "line": _node_label(node), "key": node.key, "direction": direction or "to",
                "changes": {"parent": [old_parent.key if old_parent else None, new_parent.key if new_parent else None]}
                if old_parent != new_parent else {},
            },
        )
    return node


def _is_descendant(scheme: Scheme, candidate: SchemeNode, ancestor: SchemeNode) -> bool:
    parents = dict(scheme.nodes.values_list("pk", "parent_id"))
    current = candidate.parent_id
    while current is not None:
        if current == ancestor.pk:
            return True
        current = parents.get(current)
    return False


def _reparent(scheme: Scheme, node: SchemeNode, old_siblings: list[SchemeNode], parent: SchemeNode | None,
              position: int | None) -> None:
    old_siblings = [sibling for sibling in old_siblings if sibling.pk != node.pk]
    _renumber(old_siblings)
    new_siblings = _siblings(scheme, parent.pk if parent else None)
    new_siblings = [sibling for sibling in new_siblings if sibling.pk != node.pk]
    place = len(new_siblings) if position is None else max(0, min(position, len(new_siblings)))
    node.parent = parent
    node.position = place
    node.save(update_fields=["parent", "position"])
    new_siblings.insert(place, node)
    _renumber(new_siblings)


def node_delete(*, actor, node_id: int, edit_version: int | None) -> None:
    """Delete a line and every line under it."""
    with transaction.atomic():
        scheme_id = SchemeNode.objects.values_list("scheme_id", flat=True).get(pk=node_id)
        scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
        node = scheme.nodes.get(pk=node_id)
        parents = dict(scheme.nodes.values_list("pk", "parent_id"))
        removed = [pk for pk in parents if pk == node.pk or _has_ancestor(parents, pk, node.pk)]
        label, key, parent_id = _node_label(node), node.key, node.parent_id
        try:
            SchemeNode.objects.filter(pk__in=removed).delete()
        except models.ProtectedError as error:
            raise SchemeError([("", _("Scorecards already use this line; it cannot be deleted."))]) from error
        _renumber(_siblings(scheme, parent_id))
        _changed(
            actor=actor, scheme=scheme,
            data={"operation": "line_deleted", "line": label, "key": key, "count": len(removed)},
        )


def _has_ancestor(parents: dict[int, int | None], pk: int, ancestor: int) -> bool:
    current = parents.get(pk)
    while current is not None:
        if current == ancestor:
            return True
        current = parents.get(current)
    return False


def scheme_rules_update(
    *, actor, scheme_id: int, edit_version: int | None, grades: list[dict[str, Any]], caps: list[dict[str, Any]],
    tie_breakers: list[dict[str, Any]],
) -> Scheme:
    """Replace the grades (best first), grade caps and tie-breakers (in order) of a scheme."""
    with transaction.atomic():
        scheme = _lock_editable(actor=actor, scheme_id=scheme_id, edit_version=edit_version)
        before = _rules_summary(
            [{"key": g.key, "label": g.label, "min_total": g.min_total, "no_zero_lines": g.no_zero_lines}
             for g in scheme.grades.order_by("position", "id")],
            [{"flag": c.flag, "label": c.label, "max_grade": c.max_grade} for c in scheme.grade_caps.order_by("flag")],
            [{"kind": t.kind, "ref": t.ref, "descending": t.descending} for t in scheme.tie_breakers.order_by("position", "id")],
        )
        problems = []
        for index, grade in enumerate(grades):
            if [g["key"] for g in grades].count(grade["key"]) > 1:
                problems.append((f"grades[{index}].key", _("The grade key “%(key)s” is used twice.") % {"key": grade["key"]}))
        for index, cap in enumerate(caps):
            if [c["flag"] for c in caps].count(cap["flag"]) > 1:
                problems.append((f"grade_caps[{index}].flag", _("The flag “%(flag)s” is used twice.") % {"flag": cap["flag"]}))
        if not problems:
            document = {
                "nodes": _stored_dict(scheme)["nodes"],
                "grades": [{"no_zero_lines": False, **g} for g in grades],
                "grade_caps": caps,
                "tie_breakers": [{"descending": True, **t} for t in tie_breakers],
            }
            problems = [
                (_problem_path(problem, {}, document), describe_problem(problem))
                for problem in engine.validate(engine_scheme_from_dict(document))
                if problem.level == "error" and problem.code in RULE_PROBLEMS
            ]
        if problems:
            raise SchemeError(problems)
        scheme.grades.all().delete()
        scheme.grade_caps.all().delete()
        scheme.tie_breakers.all().delete()
        SchemeGrade.objects.bulk_create(
            [SchemeGrade(scheme=scheme, position=i, key=g["key"], label=g["label"], min_total=g["min_total"],
                         no_zero_lines=g.get("no_zero_lines", False)) for i, g in enumerate(grades)]
        )
        SchemeGradeCap.objects.bulk_create(
            [SchemeGradeCap(scheme=scheme, flag=c["flag"], label=c["label"], max_grade=c["max_grade"]) for c in caps]
        )
        SchemeTieBreaker.objects.bulk_create(
            [SchemeTieBreaker(scheme=scheme, position=i, kind=t["kind"], ref=t["ref"], descending=t.get("descending", True))
             for i, t in enumerate(tie_breakers)]
        )
        after = _rules_summary(grades, sorted(caps, key=lambda c: c["flag"]), tie_breakers)
        changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        if changes:
            _changed(actor=actor, scheme=scheme, data={"operation": "rules_changed", "changes": changes})
    return scheme


def _rules_summary(grades, caps, tie_breakers) -> dict[str, str]:
    return {
        "grades": "; ".join(
            f"{g['label']} ≥ {_decimal_text(Decimal(str(g['min_total'])))}{' *' if g.get('no_zero_lines') else ''}" for g in grades
        ),
        "grade_caps": "; ".join(f"{c['flag']} → {c['max_grade']}" for c in caps),
        "tie_breakers": "; ".join(f"{t['kind']}:{t['ref']}{'' if t.get('descending', True) else ' ↑'}" for t in tie_breakers),
    }


def scheme_new_version(*, actor, scheme: Scheme) -> Scheme:
    """The frozen scheme's successor: the same table as version + 1 of the same name and year."""
    return scheme_clone(actor=actor, scheme=scheme)


# --- Live validation --------------------------------------------------------------------------------


def scheme_problems(scheme: Scheme, *, nodes: list[SchemeNode] | None = None, rules: tuple | None = None) -> list[engine.Problem]:
    """engine.validate() over the stored scheme, errors first (see engine_scheme for the arguments)."""
    problems = engine.validate(engine_scheme(scheme, nodes=nodes, rules=rules))
    return sorted(problems, key=lambda problem: problem.level != "error")


def draft_problems(
    scheme: Scheme, *, data: NodeData, node_id: int | None = None, parent_id: int | None = None,
) -> list[engine.Problem]:
    """The problems the scheme would have with a line as typed in the editor (not saved): the line
    `node_id` replaced by `data`, or `data` added as a new last line under `parent_id`."""
    document = _stored_dict(scheme)
    by_pk: dict[int, dict[str, Any]] = {}
    nodes = list(scheme.nodes.values_list("pk", "key"))
    key_to_pk = {key: pk for pk, key in nodes}

    def index(items: list[dict[str, Any]]) -> None:
        for item in items:
            by_pk[key_to_pk[item["key"]]] = item
            index(item["children"])

    index(document["nodes"])
    draft = {**data.as_fields(), "children": []}
    if node_id is not None and node_id in by_pk:
        target = by_pk[node_id]
        children = target["children"]
        target.clear()
        target.update(draft, children=children)
    elif parent_id is not None and parent_id in by_pk:
        by_pk[parent_id]["children"].append(draft)
    else:
        document["nodes"].append(draft)
    try:
        problems = engine.validate(engine_scheme_from_dict(document))
    except (TypeError, ValueError):
        return []
    return sorted(problems, key=lambda problem: problem.level != "error")
