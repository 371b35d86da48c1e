"""Invariants the organisation's tables keep on their own, whatever path a row takes in."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal.enums import UnitKind
from portal.models import Unit
from portal.selectors import people_visible_to, units_visible_to
from tests.factories import PersonFactory, UserFactory


def test_unit_code_with_a_slash_cannot_be_saved(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="STP-HN/X", name="Đơn vị giả", kind=UnitKind.DIVISION, parent=org.ministry)
    assert not Unit.objects.filter(name="Đơn vị giả").exists()


@pytest.mark.parametrize("code", ["STP/HN", "/", "-VP", "VP HN", "ĐKTV", "VP_1", "VP\nX"])
def test_unit_code_outside_letters_digits_and_hyphens_is_refused(org, code):
    unit = Unit(code=code, name="Đơn vị giả", kind=UnitKind.DIVISION, parent=org.ministry)
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "code" in error.value.message_dict


def test_unit_code_is_validated_as_stored_in_capitals(org):
    unit = Unit(code=" stp-hn-2 ", name="Phòng mới", kind=UnitKind.DIVISION, parent=org.home)
    unit.full_clean()
    unit.save()
    assert (unit.code, unit.path) == ("STP-HN-2", "/BTP/STP-HN/STP-HN-2/")
    duplicate = Unit(code="stp-hn", name="Trùng mã", kind=UnitKind.DIVISION, parent=org.ministry)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "code" in error.value.message_dict


def test_leader_sees_nothing_of_a_unit_whose_code_imitates_their_path(client, org, users):
    """A code "STP-HN/LEAK" under the ministry would have the path /BTP/STP-HN/LEAK/, inside the
    leader's /BTP/STP-HN/ prefix: neither the admin form nor the database lets it in."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:portal_unit_add"),
        {"code": "stp-hn/leak", "name": "Đơn vị rò rỉ", "short_name": "", "kind": UnitKind.DIVISION,
         "parent": org.ministry.pk, "is_active": "on", "email": ""},
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        leak = Unit.objects.create(code="STP-HN/LEAK", name="Đơn vị rò rỉ", kind=UnitKind.DIVISION, parent=org.ministry)
        PersonFactory(unit=leak, full_name="Trương Văn Lộ")
    assert not units_visible_to(users.leader).filter(name="Đơn vị rò rỉ").exists()
    assert not people_visible_to(users.leader).filter(full_name="Trương Văn Lộ").exists()
    assert set(units_visible_to(users.leader)) == {org.home, org.home_child}
