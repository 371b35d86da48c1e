"""factory_boy factories for the organisation app."""

import factory
from django.contrib.auth import get_user_model

from portal.enums import Gender, HolidayKind, Role, UnitKind
from portal.models import ClusterMembership, EmulationCluster, Person, PublicHoliday, RoleGrant, Unit

PASSWORD = "test-password-123"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị thử nghiệm {n}")
    kind = UnitKind.DEPARTMENT


class PublicHolidayFactory(factory.django.DjangoModelFactory):
    """A day off by default; pass `date` (and kind=HolidayKind.WORKING_DAY for a Saturday worked)."""

    class Meta:
        model = PublicHoliday

    name = "Ngày nghỉ lễ"
    kind = HolidayKind.HOLIDAY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Người{n}")
    gender = Gender.MALE
    position = "Chuyên viên"
    unit = factory.SubFactory(UnitFactory)


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmulationCluster

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Cụm thi đua số {n}")


class ClusterMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterMembership

    cluster = factory.SubFactory(ClusterFactory)
    unit = factory.SubFactory(UnitFactory)
    year = 2026


def user_with_role(role: Role | None, unit: Unit | None, *, name: str = "Trần Thị Thử") -> object:
    """A user with a linked person in `unit` and (unless role is None) one role grant."""
    user = UserFactory()
    PersonFactory(user=user, unit=unit or UnitFactory(), full_name=name)
    if role is not None:
        RoleGrant.objects.create(user=user, role=role, unit=unit if role in (Role.STAFF, Role.UNIT_LEADER) else None)
    return user
