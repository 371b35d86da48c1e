"""Demo data of the emulation app for `manage.py seed_demo`: the Ministry of Justice's scoring table
for provincial Justice Departments (emulation/fixtures/moj_provincial_scheme.json) and two annual
campaigns of the Sở Tư pháp clusters — last year's, published, and this year's, before the council.

Each campaign goes the way a real one does: the table is imported (last year) or cloned from last
year's (this year) through the scheme services; the campaign is created with the two Sở Tư pháp
clusters, every unit registers a target title, the campaign opens (the scheme freezes, every
participating unit gets its scorecard), the units self-score and attach evidence, their leaders
submit, the emulation officer ("thiduakt") changes two to four lines per unit with a reason, the
demo Sở (STP-HN) explains itself on two lines, and the officer finalises every appraisal.

Self-scores are drawn from `random.Random`, seeded per campaign and unit, around a quality level
per Sở, so totals, grades and ranks differ and self-scores differ from appraised ones. Campaigns
are keyed on (name, year) and schemes on (name, year, version 1): a campaign that exists is left as
it is, so running the seed again creates nothing.

Speed and side effects: lines, registrations and evidence are written with bulk_create; the
transitions that would notify (open, submit, send the appraisal, publish) are applied here with the
same audit entries as their services but without notifications, because the demo logins carry
made-up e-mail addresses. Lines are appraised, explained and finalised through the services.
Evidence files are tiny generated PDFs saved through Django's storage. Units without a demo login
have their evidence recorded as uploaded, and their registration as entered, by the officer.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from emulation.enums import CampaignKind, CampaignState, NodeKind, ScorecardState, Side
from emulation.models import Campaign, Evidence, Registration, Scheme, SchemeNode, Scorecard, ScoreLine
from emulation.schemes import scheme_clone, scheme_create_from_dict, scheme_freeze
from emulation.scoring import campaign_results
from emulation.services import (
    SCORED_KINDS,
    LineInput,
    appraisal_save_line,
    campaign_participants,
    scorecard_finalise,
    scorecard_respond,
)
from portal.audit import audit_log
from portal.enums import Role
from portal.models import EmulationCluster, RoleGrant
from portal.text import fold

SEED = "tdkt-emulation-demo"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "moj_provincial_scheme.json"
SCHEME_NAME = "Bảng tiêu chí chấm điểm thi đua các Sở Tư pháp năm {year}"
CAMPAIGN_NAME = "Thi đua thực hiện nhiệm vụ công tác tư pháp năm {year} – các Sở Tư pháp"
CLUSTERS = ("CUM-STP-MB", "CUM-STP-MN")
OFFICER_LOGIN = "thiduakt"
DEMO_UNIT = "STP-HN"  # the unit of the demo logins lanhdao (leader) and canbo (staff)
DISCIPLINED_UNIT = "STP-QN"  # this year its head was disciplined: grade capped at "Tốt"
# How well each Sở does its work (0–1): self-scores are drawn around it. Units not listed get a
# level drawn from the campaign's generator.
QUALITY = {
    "STP-HN": 0.95, "STP-HCM": 0.97, "STP-DN": 0.93, "STP-HP": 0.9, "STP-QN": 0.97,
    "STP-NA": 0.8, "STP-TH": 0.86, "STP-CT": 0.88, "STP-DT": 0.78, "STP-LD": 0.7,
}
STRONG = 0.95  # from this level a Sở leaves no line at zero (it can reach "Xuất sắc")
TARGETS = ["Cờ thi đua của Bộ Tư pháp", "Bằng khen của Bộ trưởng Bộ Tư pháp", "Tập thể Lao động xuất sắc"]
ZERO = Decimal(0)
CENT = Decimal("0.01")


def scheme_document(year: int) -> dict[str, Any]:
    """The realistic table as a document of the scheme JSON format, named for `year`."""
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["scheme"]["year"] = year
    document["scheme"]["name"] = SCHEME_NAME.format(year=year)
    return document


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


@dataclass
class _Counts:
    schemes: int = 0
    campaigns: int = 0
    scorecards: int = 0
    lines: int = 0
    evidence: int = 0
    appraised_lines: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def build_emulation_demo(*, year: int, stdout=None) -> dict[str, int]:
    """Create what is missing of the emulation demo for `year` and `year - 1`; returns the counts
    created. Needs the demo organisation (clusters and the officer's login) from portal.demo."""
    counts = _Counts()
    officer = get_user_model().objects.filter(username=OFFICER_LOGIN, is_active=True).first()
    clusters = list(EmulationCluster.objects.filter(code__in=CLUSTERS).order_by("code"))
    if officer is None or len(clusters) != len(CLUSTERS):
        _say(stdout, "Thi đua (emulation): bỏ qua — chưa có cụm Sở Tư pháp hoặc tài khoản thiduakt (skipped)")
        return counts.as_dict()
    with transaction.atomic():
        last_scheme = _scheme(officer, year - 1, None, counts)
        scheme = _scheme(officer, year, last_scheme, counts)
        campaigns = [
            _campaign(officer, last_scheme, year - 1, clusters, publish=True, counts=counts),
            _campaign(officer, scheme, year, clusters, publish=False, counts=counts),
        ]
    total = Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).count()
    _say(
        stdout,
        f"Thi đua (emulation): bảng tiêu chí (schemes) mới {counts.schemes}; phong trào (campaigns) {total} — "
        f"mới (new) {counts.campaigns}; phiếu chấm điểm (scorecards) mới {counts.scorecards}, "
        f"dòng điểm (score lines) mới {counts.lines}, minh chứng (evidence) mới {counts.evidence}, "
        f"dòng thẩm định thay đổi (appraised lines) {counts.appraised_lines}",
    )
    return counts.as_dict()


def _scheme(officer, year: int, source: Scheme | None, counts: _Counts) -> Scheme:
    """Last year's table from the fixture; this year's cloned from last year's, as offices do."""
    name = SCHEME_NAME.format(year=year)
    existing = Scheme.objects.filter(name=name, year=year, version=1).first()
    if existing is not None:
        return existing
    counts.schemes += 1
    if source is not None:
        return scheme_clone(actor=officer, scheme=source, year=year, name=name)
    return scheme_create_from_dict(actor=officer, data=scheme_document(year))


# --- One campaign ------------------------------------------------------------------------------------


@dataclass
class _Card:
    scorecard: Scorecard
    quality: float
    rng: random.Random
    lines: list[ScoreLine]
    leader: Any = None
    staff: Any = None


def _campaign(officer, scheme: Scheme, year: int, clusters, *, publish: bool, counts: _Counts) -> Campaign:
    name = CAMPAIGN_NAME.format(year=year)
    existing = Campaign.objects.filter(name=name, year=year).first()
    if existing is not None:
        return existing
    counts.campaigns += 1
    campaign = Campaign.objects.create(
        name=name, kind=CampaignKind.ANNUAL, year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
        self_scoring_deadline=date(year, 11, 20), response_days=5, scheme=scheme,
    )
    campaign.clusters.set(clusters)
    audit_log(actor=officer, obj=campaign, action="emulation.campaign.created")
    units = campaign_participants(campaign)
    logins = _unit_logins([unit.pk for unit in units])
    _register(officer, campaign, units, logins)

    _transition(officer, campaign, CampaignState.OPEN)
    scheme_freeze(actor=officer, scheme_id=scheme.pk)
    cards = _open_scorecards(campaign, units, logins, counts, flagged=set() if publish else {DISCIPLINED_UNIT})
    counts.evidence += _attach_evidence(officer, cards, year)
    _submit(campaign, cards)

    _transition(officer, campaign, CampaignState.APPRAISAL)
    for card in cards:
        counts.appraised_lines += _appraise(officer, card)
    _send_appraisals(officer, campaign, cards)
    _respond(officer, cards)
    for card in Scorecard.objects.filter(campaign=campaign).order_by("pk"):
        scorecard_finalise(actor=officer, scorecard_id=card.pk, version=card.version)

    _transition(officer, campaign, CampaignState.COUNCIL)
    if publish:
        _transition(officer, campaign, CampaignState.PUBLISHED)
        _date_last_year(campaign)
    return campaign


def _transition(officer, campaign: Campaign, state: str) -> None:
    """What campaign_transition records, without its notifications (see the module docstring)."""
    previous = campaign.state
    campaign.state = state
    campaign.version += 1
    fields = ["state", "version"]
    if state == CampaignState.PUBLISHED:
        campaign.published_at = timezone.now()
        fields.append("published_at")
    campaign.save(update_fields=fields)
    audit_log(
        actor=officer, obj=campaign, action="emulation.campaign.transition",
        data={"previous_state": previous, "state": state},
    )


def _unit_logins(unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{unit id: {"leader": user, "staff": user}} for the units with demo logins (STP-HN)."""
    logins: dict[int, dict[str, Any]] = {}
    grants = (
        RoleGrant.objects.filter(unit_id__in=unit_ids, role__in=[Role.UNIT_LEADER, Role.STAFF], user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    leaders = {grant.user_id for grant in grants if grant.role == Role.UNIT_LEADER}
    for grant in grants:
        slot = logins.setdefault(grant.unit_id, {})
        if grant.role == Role.UNIT_LEADER:
            slot.setdefault("leader", grant.user)
        elif grant.user_id not in leaders:
            slot.setdefault("staff", grant.user)
    return logins


def _register(officer, campaign: Campaign, units, logins) -> None:
    """Đăng ký thi đua: every unit names the title it aims for, at the start of the year."""
    rows = []
    for unit in units:
        quality = QUALITY.get(unit.code, 0.85)
        target = TARGETS[0] if quality >= 0.9 else TARGETS[1] if quality >= 0.8 else TARGETS[2]
        who = logins.get(unit.pk, {})
        rows.append(
            Registration(
                campaign=campaign, unit=unit, target=target,
                commitments=(
                    f"{unit.name} đăng ký phấn đấu hoàn thành xuất sắc các nhiệm vụ công tác tư pháp năm "
                    f"{campaign.year}; 100% hồ sơ thủ tục hành chính được giải quyết đúng hạn; không có công chức, "
                    "người lao động vi phạm kỷ luật."
                ),
                registered_by=who.get("leader") or who.get("staff") or officer,
            )
        )
    Registration.objects.bulk_create(rows)


def _open_scorecards(campaign: Campaign, units, logins, counts: _Counts, *, flagged: set[str]) -> list[_Card]:
    """One scorecard per unit with every scored line filled in with the unit's self-scores; the units
    in `flagged` carry the flag that caps their grade."""
    nodes = list(campaign.scheme.nodes.filter(kind__in=SCORED_KINDS).select_related("parent").order_by("pk"))
    scorecards = Scorecard.objects.bulk_create(
        [
            Scorecard(campaign=campaign, unit=unit, flags=["lanh_dao_bi_ky_luat"] if unit.code in flagged else [])
            for unit in units
        ]
    )
    cards = []
    lines = []
    for scorecard, unit in zip(scorecards, units, strict=True):
        rng = random.Random(f"{SEED}-{campaign.year}-{unit.code}")
        quality = QUALITY.get(unit.code) or round(rng.uniform(0.72, 0.95), 2)
        # Every year differs a little: the same Sở is not always first.
        quality = max(0.6, min(0.99, quality + rng.uniform(-0.04, 0.04)))
        card_lines = [ScoreLine(scorecard=scorecard, node=node, **_self_entry(node, quality, rng)) for node in nodes]
        lines.extend(card_lines)
        who = logins.get(unit.pk, {})
        cards.append(_Card(scorecard, quality, rng, card_lines, who.get("leader"), who.get("staff")))
    ScoreLine.objects.bulk_create(lines, batch_size=1000)
    # Ids of the lines (not every backend returns them from bulk_create).
    ids = {
        (line.scorecard_id, line.node_id): line.pk
        for line in ScoreLine.objects.filter(scorecard__campaign=campaign).only("pk", "scorecard_id", "node_id")
    }
    for line in lines:
        line.pk = line.id = ids[(line.scorecard_id, line.node_id)]
    counts.scorecards += len(scorecards)
    counts.lines += len(lines)
    return cards


# --- Self-scores -------------------------------------------------------------------------------------

# Ranges of the formula inputs (a = the whole, b = the part done) per line, realistic sizes.
FORMULA_SIZES = {
    "A.I.3": (15, 45), "A.II.3": (1, 12), "A.V.3": (800, 5000), "A.VI.2": (1500, 9000),
    "A.VIII.1": (40, 150), "A.X.1": (8000, 45000), "C.6": (12, 40),
}


def _step(node: SchemeNode) -> Decimal:
    return node.step or Decimal("0.25")


def _down_to_step(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def _self_entry(node: SchemeNode, quality: float, rng: random.Random) -> dict[str, Any]:
    """The unit's entry for one line: generous where it can be, as self-scores are. A strong unit
    (quality >= STRONG) issues every plan and never sends a report more than five days late."""
    kind, maximum = node.kind, node.max_points or ZERO
    strong = quality >= STRONG
    parent_kind = node.parent.kind if node.parent else None
    if parent_kind == NodeKind.BONUS:
        if kind == NodeKind.YES_NO:
            return {"self_flag": rng.random() < quality - 0.45}
        steps = int(maximum / _step(node))
        return {"self_points": _step(node) * rng.choice(range(steps + 1)) if rng.random() < quality - 0.3 else ZERO}
    if parent_kind == NodeKind.DEDUCTION:
        if kind == NodeKind.FORMULA:
            return {"self_inputs": {name: str(0 if rng.random() < quality else rng.randint(1, 3)) for name in node.inputs}}
        return {"self_points": _step(node) if rng.random() < 0.12 else ZERO}
    shortfall = 1 - quality  # 0.01 for the best Sở, 0.3 for a weak one
    if kind == NodeKind.MANUAL:
        if rng.random() < 1 - 2.5 * shortfall:
            return {"self_points": maximum}
        share = Decimal(str(round(rng.uniform(0.5, 0.95), 2)))
        return {"self_points": _down_to_step(maximum * share, _step(node))}
    if kind == NodeKind.YES_NO:
        return {"self_flag": strong or rng.random() < 1 - 0.4 * shortfall}
    if kind == NodeKind.TIERED:
        if rng.random() < 1 - 3 * shortfall:
            return {"self_value": Decimal(100)}
        return {"self_value": Decimal(str(round(rng.uniform(95 - 120 * shortfall, 99.95), 2)))}
    if kind == NodeKind.LATENESS:
        late = 0 if rng.random() < 1 - 1.5 * shortfall else rng.choice([1, 1, 2, 3, 4, 7, 12][: 5 if strong else 7])
        return {"self_value": Decimal(late)}
    if kind == NodeKind.FORMULA:
        low, high = FORMULA_SIZES.get(node.key, (20, 400))
        whole = rng.randint(low, high)
        if node.key == "A.VIII.1":  # a quota: some units do more than asked
            done = round(whole * rng.uniform(1 - 1.5 * shortfall, 1.25))
        elif rng.random() < 1 - 3 * shortfall:
            done = whole
        else:
            done = min(whole, round(whole * rng.uniform(1 - 0.8 * shortfall - 0.05, 1.0)))
        return {"self_inputs": {"a": str(whole), "b": str(max(done, 0))}}
    return {}  # auto: the portal's own figure


# --- Evidence and submission -------------------------------------------------------------------------


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF of a few short lines (ASCII: the base fonts have no Vietnamese glyphs)."""
    text = " ".join(
        f"({line.replace(chr(92), '').replace('(', '[').replace(')', ']')}) Tj 0 -16 Td" for line in lines
    )
    content = f"BT /F1 11 Tf 56 780 Td {text} ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _document_name(node: SchemeNode, unit_code: str, rng: random.Random, year: int) -> str:
    number = rng.randint(12, 480)
    day = date(year, rng.randint(1, 11), rng.randint(1, 28)).strftime("%d/%m/%Y")
    if node.kind == NodeKind.YES_NO and "Kế hoạch" in node.title:
        return f"Kế hoạch số {number}/KH-{unit_code} ngày {day}"
    if node.parent and node.parent.kind == NodeKind.BONUS:
        return f"Quyết định khen thưởng, văn bản ghi nhận số {number}/QĐ-BTP ngày {day}"
    return f"Báo cáo số {number}/BC-{unit_code} ngày {day} về kết quả thực hiện"


def _attach_evidence(officer, cards: list[_Card], year: int) -> int:
    """A file for every line that requires one; gated lines get theirs from most units only."""
    rows = []
    for card in cards:
        unit = card.scorecard.unit
        for line in card.lines:
            node = line.node
            missing = card.quality < STRONG and card.rng.random() < 1.5 * (1 - card.quality)
            if not node.requires_evidence and not (node.gate == "evidence" and not missing):
                continue
            name = _document_name(node, unit.code, card.rng, year)
            body = _pdf([fold(unit.name), fold(name), f"Tieu chi {node.key}: {fold(node.title)[:90]}"])
            filename = f"{unit.code.lower()}-{year}-{node.key.lower().replace('.', '-')}.pdf"
            rows.append(
                Evidence(line=line, file=ContentFile(body, name=filename), description=name,
                         uploaded_by=card.staff or card.leader or officer)
            )
    Evidence.objects.bulk_create(rows)
    return len(rows)


def _submit(campaign: Campaign, cards: list[_Card]) -> None:
    """The leaders countersign and submit (what scorecard_submit records, without its notifications)."""
    results = {row.scorecard.pk: row for cluster in campaign_results(campaign, side=Side.SELF) for row in cluster.rows}
    now = timezone.now()
    for card in cards:
        scorecard = card.scorecard
        scorecard.self_total = results[scorecard.pk].self_result.total
        scorecard.state = ScorecardState.SUBMITTED
        scorecard.submitted_by = card.leader
        scorecard.submitted_at = now - timedelta(days=card.rng.randint(3, 12), hours=card.rng.randint(0, 8))
        scorecard.version += 1
    Scorecard.objects.bulk_update(
        [card.scorecard for card in cards],
        ["self_total", "state", "submitted_by", "submitted_at", "version"],
    )
    for card in cards:
        audit_log(
            actor=card.leader, obj=card.scorecard, action="emulation.scorecard.submitted",
            data={"total": str(card.scorecard.self_total)},
        )


# --- Appraisal ---------------------------------------------------------------------------------------

REASONS_MANUAL = [
    "Tài liệu minh chứng chưa thể hiện đầy đủ kết quả thực hiện; một số nội dung mới dừng ở việc ban hành văn bản, "
    "chưa có báo cáo kết quả.",
    "Đối chiếu Báo cáo tổng kết năm của đơn vị, một số nhiệm vụ của tiêu chí chưa hoàn thành trong năm; "
    "Tổ thẩm định trừ {diff} điểm.",
    "Kết quả kiểm tra của Bộ Tư pháp tại địa phương ghi nhận còn tồn tại, hạn chế ở nội dung này; "
    "Tổ thẩm định tính {new} điểm.",
]
REASON_RAISED = (
    "Đơn vị chưa tính kết quả đã được Bộ Tư pháp ghi nhận tại Công văn số {number}/BTP-TĐKT; "
    "Tổ thẩm định tính đủ {new} điểm."
)
REASON_NO = "Văn bản được ban hành sau thời hạn và không gửi Bộ Tư pháp theo quy định; không đủ căn cứ tính điểm."
REASON_TIERED = (
    "Theo số liệu thống kê chính thức đơn vị gửi Bộ Tư pháp, tỷ lệ đạt {new}%, không phải {old}% như đơn vị tự chấm."
)
REASON_LATE = "Văn thư Bộ Tư pháp tiếp nhận báo cáo chậm {new} ngày làm việc so với thời hạn quy định."
REASON_FORMULA = "Đối chiếu số liệu trên hệ thống: số đạt yêu cầu là {new}/{whole}, không phải {old}/{whole} như đơn vị kê khai."
REASON_BONUS = "Chỉ một phần kết quả đơn vị kê khai có văn bản ghi nhận của cơ quan có thẩm quyền; tính {new} điểm thưởng."
REASON_BONUS_NO = "Không có văn bản ghi nhận của cơ quan có thẩm quyền về nhiệm vụ được giao; không tính điểm thưởng."
REASON_DEDUCTION = {
    "E.1": "Đơn vị chậm gửi {new} báo cáo theo yêu cầu của Bộ Tư pháp (theo tổng hợp của Văn phòng Bộ); "
    "áp dụng điểm trừ.",
    "E.2": "Kết luận thanh tra số {number}/KL-TTr xác định đơn vị có sai phạm trong quản lý; trừ {new} điểm.",
    "E.3": "Đơn vị có {new} công chức bị kỷ luật khiển trách trong năm (Quyết định số {number}/QĐ-STP); "
    "áp dụng điểm trừ.",
}
RESPONSES = [
    "Sở Tư pháp đã gửi bổ sung tài liệu minh chứng (Báo cáo số 215/BC-STP ngày 12/12) thể hiện đầy đủ kết quả "
    "thực hiện của tiêu chí. Đề nghị Tổ thẩm định xem xét, giữ nguyên điểm tự chấm.",
    "Sở Tư pháp thống nhất với ý kiến thẩm định: số liệu tự chấm lấy theo báo cáo nhanh, chưa cập nhật số liệu "
    "thống kê chính thức.",
]


def vn(number: Decimal) -> str:
    """1.75 -> "1,75" (the Vietnamese decimal comma), 2.00 -> "2"."""
    return format(number.normalize(), "f").replace(".", ",")


def _proposal(line: ScoreLine, rng: random.Random) -> tuple[dict[str, Any], str]:
    """How the officer changes the line (the changed entry fields) and why."""
    node = line.node
    kind, maximum, step = node.kind, node.max_points or ZERO, _step(node)
    parent_kind = node.parent.kind if node.parent else None
    number = rng.randint(101, 989)
    if parent_kind == NodeKind.DEDUCTION:
        if kind == NodeKind.FORMULA:
            late = rng.randint(1, 3)
            return {"inputs": {"n": str(late)}}, REASON_DEDUCTION[node.key].format(new=late)
        points = min(maximum, step * rng.randint(1, 2))
        return {"points": points}, REASON_DEDUCTION.get(node.key, REASON_DEDUCTION["E.2"]).format(
            new=vn(points), number=number
        )
    if parent_kind == NodeKind.BONUS:
        if kind == NodeKind.YES_NO:
            return {"flag": False}, REASON_BONUS_NO
        points = max(ZERO, line.self_points - step)
        return {"points": points}, REASON_BONUS.format(new=vn(points))
    if kind == NodeKind.MANUAL:
        if line.self_points < maximum and rng.random() < 0.3:
            return {"points": maximum}, REASON_RAISED.format(number=number, new=vn(maximum))
        points = max(ZERO, line.self_points - step * rng.randint(1, 3))
        reason = rng.choice(REASONS_MANUAL).format(diff=vn(line.self_points - points), new=vn(points))
        return {"points": points}, reason
    if kind == NodeKind.YES_NO:
        return {"flag": False}, REASON_NO
    if kind == NodeKind.TIERED:
        value = max(ZERO, (line.self_value - Decimal(str(rng.uniform(1.5, 10)))).quantize(CENT))
        return {"value": value}, REASON_TIERED.format(new=vn(value), old=vn(line.self_value))
    if kind == NodeKind.LATENESS:
        late = line.self_value + rng.choice([1, 2, 3, 4, 6])
        return {"value": late}, REASON_LATE.format(new=vn(late))
    whole, done = int(line.self_inputs["a"]), int(line.self_inputs["b"])
    fewer = max(0, done - max(1, round(done * rng.uniform(0.01, 0.08))))
    return {"inputs": {"a": str(whole), "b": str(fewer)}}, REASON_FORMULA.format(new=fewer, old=done, whole=whole)


def _changeable(line: ScoreLine, strong: bool) -> bool:
    """Lines an appraisal can plausibly change (not the portal's own figures; a strong unit's plans
    are not in doubt)."""
    node = line.node
    parent_kind = node.parent.kind if node.parent else None
    if node.kind == NodeKind.AUTO:
        return False
    if parent_kind == NodeKind.DEDUCTION:
        return node.key in REASON_DEDUCTION and not (line.self_points or any(
            value not in ("0", "") for value in (line.self_inputs or {}).values()
        ))
    if node.kind == NodeKind.MANUAL:
        return bool(line.self_points)
    if node.kind == NodeKind.YES_NO:
        return line.self_flag is True and not strong
    if node.kind == NodeKind.TIERED:
        return line.self_value is not None and line.self_value >= 70
    if node.kind == NodeKind.LATENESS:
        return line.self_value is not None and line.self_value < 10
    if node.kind == NodeKind.FORMULA:
        return int((line.self_inputs or {}).get("b") or 0) > 0
    return False


def _appraise(officer, card: _Card) -> int:
    """The officer changes two to four lines of the card, each with its reason."""
    candidates = [line for line in card.lines if _changeable(line, card.quality >= STRONG)]
    chosen = card.rng.sample(candidates, min(len(candidates), card.rng.randint(2, 4)))
    for line in sorted(chosen, key=lambda line: line.pk):
        change, reason = _proposal(line, card.rng)
        entry = LineInput(
            version=line.version, points=line.self_points, flag=line.self_flag, value=line.self_value,
            inputs=dict(line.self_inputs or {}),
        )
        for name, value in change.items():
            setattr(entry, name, value)
        saved = appraisal_save_line(actor=officer, line_id=line.pk, version=line.version, entry=entry, reason=reason)
        line.version = saved.version
    return len(chosen)


def _send_appraisals(officer, campaign: Campaign, cards: list[_Card]) -> None:
    """What scorecard_send_appraisal records, for every card at once and without notifications."""
    results = {row.scorecard.pk: row for cluster in campaign_results(campaign) for row in cluster.rows}
    changed = dict(
        ScoreLine.objects.filter(scorecard__campaign=campaign, appraised=True)
        .order_by()
        .values_list("scorecard_id")
        .annotate(count=Count("pk"))
    )
    now, today = timezone.now(), timezone.localdate()
    scorecards = list(Scorecard.objects.filter(campaign=campaign).order_by("pk"))
    for scorecard in scorecards:
        result = results[scorecard.pk].result
        scorecard.appraised_total, scorecard.grade = result.total, result.grade or ""
        scorecard.state = ScorecardState.APPRAISED
        scorecard.appraised_at = now
        scorecard.response_deadline = today + timedelta(days=campaign.response_days)
        scorecard.version += 1
    Scorecard.objects.bulk_update(
        scorecards, ["appraised_total", "grade", "state", "appraised_at", "response_deadline", "version"]
    )
    for scorecard in scorecards:
        audit_log(
            actor=officer, obj=scorecard, action="emulation.scorecard.appraised",
            data={"changed": changed.get(scorecard.pk, 0)},
        )


def _respond(officer, cards: list[_Card]) -> None:
    """Giải trình: the demo Sở explains itself on two changed lines; the officer accepts the first
    explanation (the line goes back to the unit's score) and keeps the second."""
    card = next((card for card in cards if card.scorecard.unit.code == DEMO_UNIT), None)
    if card is None or not (card.staff or card.leader):
        return
    changed = list(
        ScoreLine.objects.filter(scorecard=card.scorecard, appraised=True).select_related("node").order_by("pk")[:2]
    )
    for index, line in enumerate(changed):
        author = (card.staff if index == 0 else card.leader) or card.staff or card.leader
        line = scorecard_respond(actor=author, line_id=line.pk, response=RESPONSES[index])
        if index == 0:
            appraisal_save_line(
                actor=officer, line_id=line.pk, version=line.version,
                entry=LineInput(
                    version=line.version, points=line.self_points, flag=line.self_flag, value=line.self_value,
                    inputs=dict(line.self_inputs or {}),
                ),
                reason="",
            )


def _date_last_year(campaign: Campaign) -> None:
    """Last year's campaign ran last year: its dates say so (the audit keeps the seed's own times)."""
    year = campaign.year
    zone = timezone.get_current_timezone()

    def at(day: date, hour: int = 9) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)), zone)

    Registration.objects.filter(campaign=campaign).update(registered_at=at(date(year, 1, 20)))
    Scorecard.objects.filter(campaign=campaign).update(
        submitted_at=at(date(year, 12, 10), 16), appraised_at=at(date(year + 1, 1, 8)),
        response_deadline=date(year + 1, 1, 13), finalised_at=at(date(year + 1, 1, 16)),
    )
    ScoreLine.objects.filter(scorecard__campaign=campaign, appraised_at__isnull=False).update(
        appraised_at=at(date(year + 1, 1, 7), 15)
    )
    ScoreLine.objects.filter(scorecard__campaign=campaign, responded_at__isnull=False).update(
        responded_at=at(date(year + 1, 1, 12), 10)
    )
    Campaign.objects.filter(pk=campaign.pk).update(published_at=at(date(year + 1, 1, 22)))
