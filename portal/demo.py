"""Demo data for `manage.py seed_demo`: a Ministry-of-Justice-like organisation, its emulation
clusters, a few hundred staff with Vietnamese names and one login per role.

The tables below are plain data and `generate_people()` draws from `random.Random(SEED)`, so
every run produces the same rows; `build_demo()` keys them on unit code, cluster code,
(unit, year) and the person's e-mail, and only writes what differs, so running it twice
changes nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils import timezone

from commendations.demo import build_commendations_demo
from commendations.demo_dossiers import UNIT_LOGIN_CODES, build_dossier_demo, unit_login
from emulation.demo import build_emulation_demo
from office.demo import build_office_demo
from portal.enums import ClusterKind, Gender, HolidayKind, Role, UnitKind
from portal.models import ClusterMembership, EmulationCluster, Person, PublicHoliday, Unit, UnitMembership
from portal.services import role_grant
from portal.text import fold, nfc

SEED = 2026
DEFAULT_PASSWORD = "tdkt-demo-2026"
# Invented addresses on a reserved domain (RFC 2606): a demo never mails a real inbox.
EMAIL_DOMAIN = "tdkt-demo.invalid"
COUNCIL_VICE_CHAIR = "Phó Chủ tịch Hội đồng Thi đua – Khen thưởng"
# People data does not depend on the --year option: the same person starts work on the same day
# whatever year the clusters are seeded for, so re-running with another year adds no history rows.
LATEST_START = date(2025, 9, 1)


# --- Units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    head: str  # title of the head of the unit; deputies are "Phó " + this
    staff: str = "civil"  # key of STAFF_TITLES
    south: bool = False  # southern family names (Huỳnh, Võ) are more common there
    size: tuple[int, int] = (8, 15)  # how many people work there, drawn in this range


_MINISTRY_UNITS = [
    UnitSpec("BTP", "Bộ Tư pháp", "Bộ Tư pháp", UnitKind.MINISTRY, None, "Bộ trưởng", size=(5, 5)),
    UnitSpec("VP", "Văn phòng Bộ", "Văn phòng Bộ", UnitKind.OFFICE, "BTP", "Chánh Văn phòng"),
    UnitSpec(
        "VP-TH", "Phòng Tổng hợp", "Phòng Tổng hợp", UnitKind.DIVISION, "VP", "Trưởng phòng", size=(4, 7)
    ),
    UnitSpec(
        "VP-HC",
        "Phòng Hành chính – Văn thư",
        "Phòng HC – VT",
        UnitKind.DIVISION,
        "VP",
        "Trưởng phòng",
        size=(4, 7),
    ),
    UnitSpec(
        "VP-QT",
        "Phòng Quản trị – Tài vụ",
        "Phòng QT – TV",
        UnitKind.DIVISION,
        "VP",
        "Trưởng phòng",
        size=(4, 7),
    ),
    UnitSpec("TDKT", "Vụ Thi đua – Khen thưởng", "Vụ TĐKT", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"),
    UnitSpec(
        "XDPL",
        "Vụ Các vấn đề chung về xây dựng pháp luật",
        "Vụ Các vấn đề chung về XDPL",
        UnitKind.DEPARTMENT,
        "BTP",
        "Vụ trưởng",
    ),
    UnitSpec(
        "PLHSHC", "Vụ Pháp luật hình sự – hành chính", "Vụ PLHSHC", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"
    ),
    UnitSpec("PLDSKT", "Vụ Pháp luật dân sự – kinh tế", "Vụ PLDSKT", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"),
    UnitSpec("HTQT", "Vụ Hợp tác quốc tế", "Vụ HTQT", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"),
    UnitSpec("TCCB", "Vụ Tổ chức cán bộ", "Vụ TCCB", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"),
    UnitSpec("KHTC", "Vụ Kế hoạch – Tài chính", "Vụ KHTC", UnitKind.DEPARTMENT, "BTP", "Vụ trưởng"),
    UnitSpec(
        "TTR",
        "Thanh tra Bộ",
        "Thanh tra Bộ",
        UnitKind.INSPECTORATE,
        "BTP",
        "Chánh Thanh tra",
        staff="inspection",
    ),
    UnitSpec(
        "KTVB",
        "Cục Kiểm tra văn bản quy phạm pháp luật",
        "Cục KTVB",
        UnitKind.AGENCY,
        "BTP",
        "Cục trưởng",
    ),
    UnitSpec("CCN", "Cục Con nuôi", "Cục Con nuôi", UnitKind.AGENCY, "BTP", "Cục trưởng"),
    UnitSpec(
        "HTQTCT", "Cục Hộ tịch, quốc tịch, chứng thực", "Cục HTQTCT", UnitKind.AGENCY, "BTP", "Cục trưởng"
    ),
    UnitSpec("BTTP", "Cục Bổ trợ tư pháp", "Cục BTTP", UnitKind.AGENCY, "BTP", "Cục trưởng"),
    UnitSpec("CNTT", "Cục Công nghệ thông tin", "Cục CNTT", UnitKind.AGENCY, "BTP", "Cục trưởng"),
    UnitSpec(
        "QLTHA",
        "Cục Quản lý thi hành án dân sự",
        "Cục QLTHADS",
        UnitKind.AGENCY,
        "BTP",
        "Cục trưởng",
    ),
    UnitSpec("TGPL", "Cục Trợ giúp pháp lý", "Cục TGPL", UnitKind.AGENCY, "BTP", "Cục trưởng"),
    UnitSpec(
        "DKGDBD",
        "Cục Đăng ký quốc gia giao dịch bảo đảm",
        "Cục ĐKQGGDBĐ",
        UnitKind.AGENCY,
        "BTP",
        "Cục trưởng",
    ),
    UnitSpec(
        "PBGDPL", "Cục Phổ biến, giáo dục pháp luật", "Cục PBGDPL", UnitKind.AGENCY, "BTP", "Cục trưởng"
    ),
    UnitSpec(
        "VKHPL",
        "Viện Khoa học pháp lý",
        "Viện KHPL",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Viện trưởng",
        staff="research",
    ),
    UnitSpec(
        "DHLHN",
        "Trường Đại học Luật Hà Nội",
        "Đại học Luật Hà Nội",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Hiệu trưởng",
        staff="teaching",
    ),
    UnitSpec(
        "HVTP",
        "Học viện Tư pháp",
        "Học viện Tư pháp",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Giám đốc",
        staff="teaching",
    ),
    UnitSpec(
        "BPLVN",
        "Báo Pháp luật Việt Nam",
        "Báo PLVN",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Tổng Biên tập",
        staff="press",
    ),
    UnitSpec(
        "TCDCPL",
        "Tạp chí Dân chủ và Pháp luật",
        "Tạp chí DC&PL",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Tổng Biên tập",
        staff="press",
    ),
    UnitSpec(
        "NXBTP",
        "Nhà xuất bản Tư pháp",
        "NXB Tư pháp",
        UnitKind.PUBLIC_SERVICE,
        "BTP",
        "Giám đốc",
        staff="press",
    ),
]

# (code suffix, name, "thành phố"/"tỉnh", southern, has a Sở Tư pháp, has a Cục THADS)
_PROVINCES = [
    ("HN", "Hà Nội", "thành phố", False, True, True),
    ("HCM", "Hồ Chí Minh", "Thành phố", True, True, True),
    ("HP", "Hải Phòng", "thành phố", False, True, True),
    ("DN", "Đà Nẵng", "thành phố", False, True, True),
    ("CT", "Cần Thơ", "thành phố", True, True, True),
    ("NA", "Nghệ An", "tỉnh", False, True, True),
    ("TH", "Thanh Hóa", "tỉnh", False, True, True),
    ("DT", "Đồng Tháp", "tỉnh", True, True, True),
    ("QN", "Quảng Ninh", "tỉnh", False, True, False),
    ("LD", "Lâm Đồng", "tỉnh", True, True, False),
]


def _province_units() -> list[UnitSpec]:
    justice, enforcement = [], []
    for suffix, name, level, south, has_justice, has_enforcement in _PROVINCES:
        full = f"Thành phố {name}" if level == "Thành phố" else name
        short = "TP.HCM" if suffix == "HCM" else name
        if has_justice:
            justice.append(
                UnitSpec(
                    f"STP-{suffix}",
                    f"Sở Tư pháp {full}",
                    f"STP {short}",
                    UnitKind.PROVINCIAL_JUSTICE,
                    "BTP",
                    "Giám đốc Sở",
                    south=south,
                )
            )
        if has_enforcement:
            enforcement.append(
                UnitSpec(
                    f"THADS-{suffix}",
                    f"Cục Thi hành án dân sự {level} {name}",
                    f"Cục THADS {short}",
                    UnitKind.ENFORCEMENT_OFFICE,
                    "QLTHA",
                    "Cục trưởng",
                    staff="enforcement",
                    south=south,
                )
            )
    # The demo leader's Sở has two divisions, so the leader's reach over sub-units shows.
    divisions = [
        UnitSpec(
            "STP-HN-VP",
            "Văn phòng Sở",
            "Văn phòng Sở",
            UnitKind.DIVISION,
            "STP-HN",
            "Chánh Văn phòng",
            size=(4, 6),
        ),
        UnitSpec(
            "STP-HN-BTTP",
            "Phòng Bổ trợ tư pháp",
            "Phòng BTTP",
            UnitKind.DIVISION,
            "STP-HN",
            "Trưởng phòng",
            size=(4, 6),
        ),
    ]
    return justice + divisions + enforcement


# Parents always come before their children.
UNITS: list[UnitSpec] = _MINISTRY_UNITS + _province_units()

# What the staff of a unit are called, with weights. The first title goes to the first staff member
# of every unit and to a leader's earlier post; titles from the third on are the junior ones.
STAFF_TITLES: dict[str, list[tuple[str, int]]] = {
    "civil": [("Chuyên viên chính", 4), ("Chuyên viên cao cấp", 1), ("Chuyên viên", 6), ("Cán sự", 1)],
    "inspection": [
        ("Thanh tra viên chính", 3),
        ("Thanh tra viên cao cấp", 1),
        ("Thanh tra viên", 4),
        ("Chuyên viên", 2),
    ],
    "enforcement": [
        ("Chấp hành viên trung cấp", 3),
        ("Chấp hành viên cao cấp", 1),
        ("Chấp hành viên sơ cấp", 3),
        ("Thẩm tra viên", 2),
        ("Thư ký thi hành án", 3),
        ("Chuyên viên", 2),
    ],
    "research": [
        ("Nghiên cứu viên chính", 3),
        ("Nghiên cứu viên cao cấp", 1),
        ("Nghiên cứu viên", 4),
        ("Chuyên viên", 2),
    ],
    "teaching": [("Giảng viên chính", 3), ("Giảng viên cao cấp", 1), ("Giảng viên", 5), ("Chuyên viên", 2)],
    "press": [("Biên tập viên chính", 3), ("Biên tập viên", 4), ("Phóng viên", 4), ("Chuyên viên", 1)],
}


# --- Emulation clusters ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSpec:
    code: str
    name: str
    kind: str
    members: tuple[str, ...]  # unit codes; the first one heads the cluster


CLUSTERS: list[ClusterSpec] = [
    ClusterSpec(
        "KHOI-TM",
        "Khối các đơn vị tham mưu",
        ClusterKind.BLOCK,
        ("VP", "TDKT", "XDPL", "PLHSHC", "PLDSKT", "HTQT", "TCCB", "KHTC", "TTR"),
    ),
    ClusterSpec(
        "KHOI-CUC",
        "Khối các Cục quản lý nhà nước",
        ClusterKind.BLOCK,
        ("HTQTCT", "KTVB", "CCN", "BTTP", "CNTT", "QLTHA", "TGPL", "DKGDBD", "PBGDPL"),
    ),
    ClusterSpec(
        "KHOI-SN",
        "Khối các đơn vị sự nghiệp",
        ClusterKind.BLOCK,
        ("HVTP", "VKHPL", "DHLHN", "BPLVN", "TCDCPL", "NXBTP"),
    ),
    ClusterSpec(
        "CUM-STP-MB",
        "Cụm thi đua các Sở Tư pháp miền Bắc",
        ClusterKind.CLUSTER,
        ("STP-HN", "STP-HP", "STP-QN", "STP-NA", "STP-TH"),
    ),
    ClusterSpec(
        "CUM-STP-MN",
        "Cụm thi đua các Sở Tư pháp miền Trung – miền Nam",
        ClusterKind.CLUSTER,
        ("STP-HCM", "STP-DN", "STP-CT", "STP-DT", "STP-LD"),
    ),
    ClusterSpec(
        "CUM-THADS",
        "Cụm thi đua các Cục Thi hành án dân sự",
        ClusterKind.CLUSTER,
        tuple(unit.code for unit in UNITS if unit.kind == UnitKind.ENFORCEMENT_OFFICE),
    ),
]


# --- Vietnamese names ------------------------------------------------------------------------


def _weighted(table: str) -> list[tuple[str, float]]:
    """Parse "Nguyễn 38, Trần 11" into [("Nguyễn", 38.0), ("Trần", 11.0)]: names and relative weights."""
    return [(name, float(weight)) for name, weight in (item.rsplit(" ", 1) for item in table.split(", "))]


FAMILY_NAMES = _weighted(
    "Nguyễn 38, Trần 11, Lê 9.5, Phạm 7, Hoàng 4.5, Huỳnh 1.5, Phan 4.5, Vũ 4, Võ 2.5, Đặng 2.1, Bùi 2, "
    "Đỗ 1.4, Hồ 1.3, Ngô 1.3, Dương 1, Đinh 1, Trịnh 0.8, Đào 0.8, Lý 0.5, Mai 0.5, Cao 0.5, Lương 0.5, "
    "Tạ 0.3"
)
# In the South the same families are mostly written Huỳnh and Võ.
_SOUTHERN_SWAP = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}

MIDDLE_NAMES = {
    Gender.MALE: _weighted(
        "Văn 30, Đức 10, Minh 10, Quang 8, Hữu 7, Công 5, Thanh 5, Xuân 4, Mạnh 4, Trọng 4, Duy 4, Ngọc 3, "
        "Hoàng 3, Tiến 3, Anh 3, Việt 3"
    ),
    Gender.FEMALE: _weighted(
        "Thị 40, Thu 8, Ngọc 7, Thanh 7, Hồng 6, Minh 5, Phương 4, Thùy 4, Kim 3, Bích 3, Thúy 3, Mai 3, "
        "Diệu 2, Hải 2, Khánh 2"
    ),
}
GIVEN_NAMES = {
    Gender.MALE: _weighted(
        "Anh 6, Tuấn 6, Hùng 5, Dũng 5, Hải 5, Nam 5, Trung 5, Long 4, Sơn 4, Thắng 4, Cường 4, Đức 4, "
        "Huy 4, Thành 4, Minh 4, Hiếu 3, Khánh 3, Quân 3, Tùng 3, Việt 3, Bình 3, Phong 3, Hưng 3, Đạt 3, "
        "Kiên 2, Tâm 2, Lâm 2, Toàn 2, Vinh 2, Phúc 2"
    ),
    Gender.FEMALE: _weighted(
        "Linh 6, Trang 6, Hương 5, Hà 5, Thảo 5, Lan 4, Hoa 4, Mai 4, Phương 4, Huyền 4, Hằng 4, Thủy 4, "
        "Anh 4, Ngân 3, Yến 3, Hạnh 3, Nhung 3, Vân 3, Ngọc 3, Dung 3, Giang 3, Nga 3, Thúy 3, Hiền 3, "
        "Quỳnh 3, Oanh 2, Loan 2, Chi 2, Liên 2, Hòa 2"
    ),
}

# Share of women by rank: leaders are more often men, staff more often women (about 55% overall).
_FEMALE_SHARE = {"head": 0.3, "deputy": 0.45, "staff": 0.6}
_MOVER_SHARE = 0.1

# The person the browser tests and the README look for, in the demo leader's unit.
KNOWN_PERSON = ("Nguyễn Anh Tuấn", Gender.MALE, "STP-HN")


# --- Demo logins -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginSpec:
    username: str
    unit: str  # unit of the person behind the login
    rank: str  # "head", "deputy" or "staff": the first such person of the unit without a login
    grants: tuple[tuple[str, str | None], ...]  # (role, unit code or None for ministry-wide roles)
    superuser: bool = False
    listed: bool = True  # printed in the table at the end


LOGINS: list[LoginSpec] = [
    LoginSpec("quantri", "CNTT", "staff", ((Role.SYSTEM_ADMIN, None),), superuser=True),
    LoginSpec("thiduakt", "TDKT", "staff", ((Role.EMULATION_OFFICER, None),)),
    LoginSpec("vanphong", "VP-TH", "staff", ((Role.PLAN_COORDINATOR, None),)),
    LoginSpec("hoidong", "BTP", "deputy", ((Role.COUNCIL_MEMBER, None),)),
    LoginSpec("lanhdao", "STP-HN", "head", ((Role.UNIT_LEADER, "STP-HN"), (Role.STAFF, "STP-HN"))),
    LoginSpec("canbo", "STP-HN", "staff", ((Role.STAFF, "STP-HN"),)),
    # The rest of the seven-member council: heads of the units that sit on it.
    *(
        LoginSpec(f"hoidong{n}", unit, "head", ((Role.COUNCIL_MEMBER, None),), listed=False)
        for n, unit in enumerate(("TDKT", "VP", "TCCB", "KHTC", "TTR", "QLTHA"), start=2)
    ),
    # The leaders of the other Sở Tư pháp whose year-end dossiers the demo walks along their path
    # (commendations.demo_dossiers): "lanhdao.stp-hp" and so on.
    *(
        LoginSpec(unit_login(code), code, "head", ((Role.UNIT_LEADER, code), (Role.STAFF, code)), listed=False)
        for code in UNIT_LOGIN_CODES
    ),
]


# --- Generated people ------------------------------------------------------------------------


@dataclass
class StintSpec:
    """One row of a person's work history (UnitMembership)."""

    unit: str
    position: str
    start: date
    end: date | None = None


@dataclass
class PersonSpec:
    email: str  # the key build_demo() matches existing rows on
    full_name: str
    gender: str
    date_of_birth: date
    position: str
    unit: str
    rank: str
    history: list[StintSpec] = field(default_factory=list)
    login: str = ""


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights=weights)[0]


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _family_name(rng: random.Random, south: bool) -> str:
    family = _pick(rng, FAMILY_NAMES)
    return _SOUTHERN_SWAP.get(family, family) if south else family


def _full_name(rng: random.Random, gender: str, family: str) -> str:
    # No "Minh Minh", "Thùy Thủy" or "Hoàng Hoàng": the words of a name differ even without tones.
    while True:
        middle = _pick(rng, MIDDLE_NAMES[gender])
        if gender == Gender.FEMALE and middle == "Thị" and rng.random() < 0.15:
            # "Nguyễn Thị Thu Hương": some women carry two middle names.
            middle = f"Thị {_pick(rng, [m for m in MIDDLE_NAMES[gender] if m[0] != 'Thị'])}"
        full_name = f"{family} {middle} {_pick(rng, GIVEN_NAMES[gender])}"
        words = fold(full_name).split()
        if len(set(words)) == len(words):
            return full_name


def _email_stem(full_name: str) -> str:
    """Turn "Nguyễn Thị Thu Hương" into "huongntt", the usual shape of a ministry mailbox."""
    words = fold(full_name).split()
    return words[-1] + "".join(word[0] for word in words[:-1])


def _positions(spec: UnitSpec, rng: random.Random) -> list[tuple[str, str]]:
    """(rank, position) for each person of the unit: the head, 1-2 deputies, then staff."""
    size = rng.randint(*spec.size)
    if spec.kind == UnitKind.MINISTRY:
        deputies = [COUNCIL_VICE_CHAIR] + ["Thứ trưởng"] * (size - 2)
    else:
        deputies = [f"Phó {spec.head}"] * (1 if size < 10 else 2)
    titles = STAFF_TITLES[spec.staff]
    staff_count = size - 1 - len(deputies)
    staff = [titles[0][0]] + [_pick(rng, titles) for _ in range(staff_count - 1)] if staff_count else []
    return [("head", spec.head), *(("deputy", d) for d in deputies), *(("staff", s) for s in staff)]


def _birth_years(rank: str, position: str) -> tuple[int, int]:
    """Range of years of birth that fits the post: senior titles go to older people."""
    if rank == "head":
        return 1965, 1980
    if rank == "deputy":
        return 1967, 1985
    if "cao cấp" in position:
        return 1965, 1978
    if "chính" in position:
        return 1968, 1990
    return 1972, 2000


def generate_people() -> list[PersonSpec]:
    """Everyone in the demo organisation, the same list on every call (random.Random(SEED))."""
    rng = random.Random(SEED)
    movable = {spec.code: spec for spec in UNITS if spec.kind != UnitKind.MINISTRY}
    people: list[PersonSpec] = []
    used_stems: dict[str, int] = defaultdict(int)
    # Names are unique across the demo (searches then find one person) and leave the known one free.
    names_taken = {KNOWN_PERSON[0]}
    for spec in UNITS:
        unit_people: list[PersonSpec] = []
        for rank, position in _positions(spec, rng):
            gender = Gender.FEMALE if rng.random() < _FEMALE_SHARE[rank] else Gender.MALE
            # On a clash only the middle and given names are drawn again, keeping the family mix.
            family = _family_name(rng, spec.south)
            full_name = _full_name(rng, gender, family)
            while full_name in names_taken:
                full_name = _full_name(rng, gender, family)
            names_taken.add(full_name)
            first, last = _birth_years(rank, position)
            born = date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
            person = PersonSpec("", full_name, gender, born, position, spec.code, rank)
            person.history = _history(rng, person, movable)
            unit_people.append(person)
        if spec.code == KNOWN_PERSON[2]:
            known = unit_people[-1]
            known.full_name, known.gender = KNOWN_PERSON[0], KNOWN_PERSON[1]
        people.extend(unit_people)
    for person in people:
        stem = _email_stem(person.full_name)
        used_stems[stem] += 1
        suffix = used_stems[stem] if used_stems[stem] > 1 else ""
        person.email = f"{stem}{suffix}@{EMAIL_DOMAIN}"
    _assign_logins(people)
    return people


def _history(rng: random.Random, person: PersonSpec, movable: dict[str, UnitSpec]) -> list[StintSpec]:
    """The current stint, and for about one in ten a previous one elsewhere that ended the day before."""
    born = person.date_of_birth.year
    last_start = LATEST_START - timedelta(days=120)
    career_start = min(date(born + rng.randint(22, 25), rng.randint(1, 12), 1), last_start)
    # Leaders hold their post from their mid-thirties on, not from their first day at work.
    appointed_at = {"staff": 0, "deputy": rng.randint(32, 38), "head": rng.randint(36, 42)}[person.rank]
    earliest = (
        min(date(born + appointed_at, rng.randint(1, 12), 1), last_start) if appointed_at else career_start
    )
    if rng.random() < _MOVER_SHARE and (LATEST_START - career_start).days > 3 * 365:
        previous_unit = rng.choice([code for code in movable if code != person.unit])
        titles = STAFF_TITLES[movable[previous_unit].staff]
        # Leaders were senior staff before; staff did the same level of work elsewhere.
        previous_position = titles[0][0] if person.rank != "staff" else _pick(rng, titles[2:] or titles)
        latest_end = LATEST_START - timedelta(days=60)
        ended = _random_date(
            rng, min(max(career_start + timedelta(days=2 * 365), earliest), latest_end), latest_end
        )
        return [
            StintSpec(previous_unit, previous_position, career_start, ended),
            StintSpec(person.unit, person.position, ended + timedelta(days=1)),
        ]
    return [StintSpec(person.unit, person.position, _random_date(rng, earliest, LATEST_START))]


def _assign_logins(people: list[PersonSpec]) -> None:
    for login in LOGINS:
        candidates = (p for p in people if p.unit == login.unit and p.rank == login.rank)
        person = next((p for p in candidates if not p.login and p.full_name != KNOWN_PERSON[0]), None)
        if person is None:
            raise ValueError(f"No {login.rank} left in {login.unit} for the login {login.username}")
        person.login = login.username


# --- Public holidays -------------------------------------------------------------------------

# The holidays the Labour Code fixes on solar dates (Bộ luật Lao động 2019, Điều 112 khoản 1), as
# (month, day, name, point of the clause). Tết Nguyên đán, Giỗ Tổ Hùng Vương (10/3 lunar), the day
# next to 2/9 and the days swapped around them are announced each year: an administrator enters
# them in the admin (portal.PublicHoliday); the demo does not guess them.
FIXED_HOLIDAYS: list[tuple[int, int, str, str]] = [
    (1, 1, "Tết Dương lịch", "a"),
    (4, 30, "Ngày Chiến thắng", "c"),
    (5, 1, "Ngày Quốc tế Lao động", "d"),
    (9, 2, "Quốc khánh", "đ"),
]


# --- Building the database -------------------------------------------------------------------


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"mới (new) {self.created}, cập nhật (updated) {self.updated}"


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ on obj (foreign keys compared by id); True when something changed."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, obj._meta.get_field(name).attname)
        if current != (value.pk if isinstance(value, models.Model) else value):
            setattr(obj, name, value)
            changed = True
    return changed


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def build_demo(
    *, year: int, password: str = DEFAULT_PASSWORD, stdout=None, today: date | None = None
) -> dict[str, Any]:
    """Create or refresh the demo organisation; returns counts and the demo logins.

    The fixed public holidays come first, for `year` and the year after, so that every period the
    demo counts in working days skips them. Clusters are seeded for `year` and the year before; the
    work plans (office.demo) for `year`, their task statuses drawn relative to `today` (default:
    today); the emulation campaigns of the Sở Tư pháp clusters (emulation.demo) for `year` and the
    year before; five years of commendation history, `year` - 5 to `year` - 1 (commendations.demo).
    Everything happens in one transaction.
    """
    with transaction.atomic():
        holidays = _build_holidays(years=(year, year + 1), stdout=stdout)
        units = _build_units(stdout)
        clusters = _build_clusters(units, years=(year - 1, year), stdout=stdout)
        people = _build_people(units, stdout)
        logins = _build_logins(units, people, password, stdout)
        office = build_office_demo(year=year, units=units, today=today, stdout=stdout)
        emulation = build_emulation_demo(year=year, stdout=stdout)
        commendations = build_commendations_demo(
            year=year, people=[person for _spec, person in people], units=units, today=today, stdout=stdout
        )
        commendations["dossiers"] = build_dossier_demo(
            year=year - 1, today=today or timezone.localdate(), stdout=stdout
        )["dossiers"]
    return {
        "holidays": holidays,
        "units": len(units),
        "clusters": len(clusters),
        "people": len(people),
        "years": (year - 1, year),
        "logins": logins,
        "office": office,
        "emulation": emulation,
        "commendations": commendations,
    }


def _build_holidays(*, years: tuple[int, ...], stdout) -> int:
    """Add the fixed holidays of `years` that are missing; a date already in the table is left as
    the administrator entered it. Returns how many were added."""
    wanted = {
        date(year, month, day): (name, point)
        for year in years
        for month, day, name, point in FIXED_HOLIDAYS
    }
    present = set(PublicHoliday.objects.filter(date__in=wanted).values_list("date", flat=True))
    new = [
        PublicHoliday(
            date=day,
            name=nfc(name),
            kind=HolidayKind.HOLIDAY,
            basis=nfc(f"Bộ luật Lao động 2019, Điều 112 khoản 1 điểm {point}"),
        )
        for day, (name, point) in sorted(wanted.items())
        if day not in present
    ]
    PublicHoliday.objects.bulk_create(new)
    _say(stdout, f"Ngày nghỉ lễ cố định {years[0]}–{years[-1]} (fixed public holidays): {len(wanted)} — mới (new) {len(new)}")
    return len(new)


def _build_units(stdout) -> dict[str, Unit]:
    tally = _Tally()
    existing = {unit.code: unit for unit in Unit.objects.filter(code__in=[spec.code for spec in UNITS])}
    units: dict[str, Unit] = {}
    for spec in UNITS:
        values = {
            "name": nfc(spec.name),
            "short_name": nfc(spec.short_name),
            "kind": spec.kind,
            "parent": units[spec.parent] if spec.parent else None,
        }
        unit = existing.get(spec.code)
        if unit is None:
            unit = Unit(code=spec.code, **values)
            unit.save()
            tally.created += 1
        elif _assign(unit, values):
            unit.save()
            tally.updated += 1
        units[spec.code] = unit
    _say(stdout, f"Đơn vị (units): {len(units)} — {tally}")
    return units


def _build_clusters(units: dict[str, Unit], *, years: tuple[int, ...], stdout) -> dict[str, EmulationCluster]:
    tally = _Tally()
    existing = {c.code: c for c in EmulationCluster.objects.filter(code__in=[spec.code for spec in CLUSTERS])}
    clusters: dict[str, EmulationCluster] = {}
    for spec in CLUSTERS:
        values = {"name": nfc(spec.name), "kind": spec.kind, "is_active": True}
        cluster = existing.get(spec.code)
        if cluster is None:
            cluster = EmulationCluster.objects.create(code=spec.code, **values)
            tally.created += 1
        elif _assign(cluster, values):
            cluster.save()
            tally.updated += 1
        clusters[spec.code] = cluster

    seats = {(m.unit_id, m.year): m for m in ClusterMembership.objects.filter(year__in=years)}
    new_seats = []
    seat_tally = _Tally()
    for spec in CLUSTERS:
        for position, code in enumerate(spec.members):
            for year in years:
                values = {"cluster": clusters[spec.code], "is_head": position == 0}
                seat = seats.get((units[code].pk, year))
                if seat is None:
                    new_seats.append(ClusterMembership(unit=units[code], year=year, **values))
                elif _assign(seat, values):
                    seat.save()
                    seat_tally.updated += 1
    ClusterMembership.objects.bulk_create(new_seats)
    seat_tally.created = len(new_seats)
    _say(stdout, f"Cụm, khối thi đua (clusters): {len(clusters)} — {tally}")
    _say(stdout, f"Thành viên cụm, khối {years[0]}–{years[-1]} (cluster seats): {seat_tally}")
    return clusters


def _build_people(units: dict[str, Unit], stdout) -> list[tuple[PersonSpec, Person]]:
    specs = generate_people()
    tally = _Tally()
    existing: dict[str, Person] = {}
    for person in Person.objects.filter(email__in=[spec.email for spec in specs]).order_by("-pk"):
        existing[person.email] = person  # with duplicates, the oldest row wins
    built: list[tuple[PersonSpec, Person]] = []
    for spec in specs:
        values = {
            "full_name": spec.full_name,
            "gender": spec.gender,
            "date_of_birth": spec.date_of_birth,
            "position": spec.position,
            "unit": units[spec.unit],
        }
        person = existing.get(spec.email)
        if person is None:
            person = Person(email=spec.email, **values)
            person.save()
            tally.created += 1
        elif _assign(person, values):
            person.version += 1
            person.save()
            tally.updated += 1
        built.append((spec, person))
    _say(stdout, f"Cán bộ (people): {len(built)} — {tally}")
    _build_history(units, built, stdout)
    return built


def _build_history(units: dict[str, Unit], built: list[tuple[PersonSpec, Person]], stdout) -> None:
    tally = _Tally()
    stints: dict[tuple[int, int, date], UnitMembership] = {
        (m.person_id, m.unit_id, m.start_date): m
        for m in UnitMembership.objects.filter(person__in=[person for _spec, person in built])
    }
    new_stints = []
    for spec, person in built:
        for stint in spec.history:
            values = {"position": stint.position, "end_date": stint.end}
            row = stints.get((person.pk, units[stint.unit].pk, stint.start))
            if row is None:
                new_stints.append(
                    UnitMembership(person=person, unit=units[stint.unit], start_date=stint.start, **values)
                )
            elif _assign(row, values):
                row.save()
                tally.updated += 1
    UnitMembership.objects.bulk_create(new_stints)
    tally.created = len(new_stints)
    _say(stdout, f"Quá trình công tác (work history rows): {tally}")


def _build_logins(
    units: dict[str, Unit], built: list[tuple[PersonSpec, Person]], password: str, stdout
) -> list[dict[str, Any]]:
    User = get_user_model()
    people = {spec.login: person for spec, person in built if spec.login}
    users = {
        user.username: user for user in User.objects.filter(username__in=[login.username for login in LOGINS])
    }
    # One hash for all demo logins (they share the password), made once: hashing is slow on purpose.
    hashed = next((u.password for u in users.values() if check_password(password, u.password)), None)
    hashed = hashed or make_password(password)
    units_by_pk = {unit.pk: unit for unit in units.values()}
    tally = _Tally()
    rows = []
    for login in LOGINS:
        person = people[login.username]
        user = users.get(login.username) or User(username=login.username)
        email = f"{login.username}@{EMAIL_DOMAIN}"
        values = {
            # Django shows "first last": "first" holds family and middle names (họ và tên đệm)
            # and "last" the given name (tên), so the portal's header reads "Nguyễn Anh Tuấn".
            "first_name": f"{person.family_name} {person.middle_name}".strip(),
            "last_name": person.given_name,
            "email": email,
            "is_active": True,
            "is_staff": login.superuser,
            "is_superuser": login.superuser,
            "password": hashed,
        }
        if user.pk is None:
            _assign(user, values)
            user.save()
            tally.created += 1
        elif _assign(user, values):
            user.save()
            tally.updated += 1
        if person.user_id != user.pk:
            Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
            person.user = user
            person.save(update_fields=["user"])
        # role_grant notifies the user of a new role; it e-mails only users with an address, and
        # these addresses are invented, so the grants see the user without one.
        user.email = ""
        for role, unit_code in login.grants:
            role_grant(actor=None, user=user, role=role, unit=units[unit_code] if unit_code else None)
        user.email = email
        rows.append(
            {
                "username": login.username,
                "password": password,
                "roles": [role for role, _unit in login.grants],
                "full_name": person.full_name,
                "position": person.position,
                "unit": units_by_pk[person.unit_id].name,
                "listed": login.listed,
            }
        )
    _say(stdout, f"Tài khoản demo (demo logins): {len(rows)} — {tally}")
    return rows
