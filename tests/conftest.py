"""Fixtures shared by every test: a small organisation and one user per role.

`home` is the unit under test; `home_child` sits below it; `other` is a sibling unit whose data
must never leak to home's staff and leader.
"""

import os
from types import SimpleNamespace

import pytest

from portal.enums import Role, UnitKind
from tests.factories import PersonFactory, UnitFactory, user_with_role

# When set (CI does), tests that need Redis, a worker or Chromium fail instead of skipping.
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES", "") == "1"


def need_service(reason: str) -> None:
    """Fail (in CI) or skip (on a newcomer's laptop) when a required outside service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"Required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def org(db):
    ministry = UnitFactory(code="BTP", name="Bộ Tư pháp", kind=UnitKind.MINISTRY)
    home = UnitFactory(code="STP-HN", name="Sở Tư pháp Hà Nội", kind=UnitKind.PROVINCIAL_JUSTICE, parent=ministry)
    home_child = UnitFactory(code="STP-HN-VP", name="Văn phòng Sở", kind=UnitKind.DIVISION, parent=home)
    other = UnitFactory(code="STP-HP", name="Sở Tư pháp Hải Phòng", kind=UnitKind.PROVINCIAL_JUSTICE, parent=ministry)
    return SimpleNamespace(ministry=ministry, home=home, home_child=home_child, other=other)


@pytest.fixture
def users(org):
    """One user per role; staff and leader belong to `home`; `outsider` is staff of `other`."""
    return SimpleNamespace(
        staff=user_with_role(Role.STAFF, org.home, name="Lê Văn Cán"),
        leader=user_with_role(Role.UNIT_LEADER, org.home, name="Phạm Thị Lãnh"),
        officer=user_with_role(Role.EMULATION_OFFICER, org.ministry, name="Hoàng Văn Thi"),
        council=user_with_role(Role.COUNCIL_MEMBER, org.ministry, name="Vũ Thị Hội"),
        admin=user_with_role(Role.SYSTEM_ADMIN, org.ministry, name="Đỗ Văn Quản"),
        outsider=user_with_role(Role.STAFF, org.other, name="Bùi Thị Ngoài"),
        no_role=user_with_role(None, org.home, name="Ngô Văn Chưa"),
    )


@pytest.fixture
def people(org):
    """Two people without logins: one in `home_child` (below home), one in `other`."""
    return SimpleNamespace(
        own=PersonFactory(unit=org.home_child, full_name="Nguyễn Anh Tuấn"),
        other=PersonFactory(unit=org.other, full_name="Đặng Thị Đào"),
    )
