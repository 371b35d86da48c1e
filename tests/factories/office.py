"""factory_boy factories for the work-plan app."""

import datetime

import factory

from office.enums import DeadlineKind, PetitionBody, PlanState
from office.models import Petition, PetitionBatch, PlanYear, Task, WorkPlan
from tests.factories import UnitFactory


class PlanYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanYear
        django_get_or_create = ("year",)

    year = 2026
    plan_issue_deadline = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 31))
    report_period_start = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 12, 15))
    report_period_end = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 14))


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    unit = factory.SubFactory(UnitFactory)
    year = 2026
    title = factory.LazyAttribute(lambda o: f"Kế hoạch công tác năm {o.year} của {o.unit.name}")
    state = PlanState.DRAFT


class IssuedPlanFactory(WorkPlanFactory):
    state = PlanState.ISSUED
    issue_number = factory.Sequence(lambda n: f"{n + 1}/KH-BTP")
    issued_on = datetime.date(2026, 1, 20)
    signer = "Nguyễn Văn Ký"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(WorkPlanFactory)
    code = factory.Sequence(lambda n: f"NV{n + 1:04d}")
    content = factory.Sequence(lambda n: f"Xây dựng báo cáo chuyên đề số {n + 1}")
    lead_unit = factory.LazyAttribute(lambda o: o.plan.unit)
    deadline_kind = DeadlineKind.DATE
    due_date = datetime.date(2026, 6, 30)
    output = "Báo cáo"


class PetitionBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PetitionBatch

    body = PetitionBody.NATIONAL_ASSEMBLY
    session = factory.Sequence(lambda n: f"Kỳ họp thứ {n + 1}, Quốc hội khóa XV")
    received_on = datetime.date(2026, 1, 5)
    answer_days = 60
    next_session_on = None


class PetitionFactory(factory.django.DjangoModelFactory):
    """An unanswered petition; answer_deadline follows the batch's period unless given."""

    class Meta:
        model = Petition

    batch = factory.SubFactory(PetitionBatchFactory)
    code = factory.Sequence(lambda n: f"KN{n + 1:04d}")
    content = factory.Sequence(lambda n: f"Cử tri đề nghị sửa đổi quy định về chứng thực bản sao số {n + 1}")
    constituency = "Cử tri thành phố Hà Nội"
    lead_unit = factory.SubFactory(UnitFactory)
    received_on = factory.LazyAttribute(lambda o: o.batch.received_on)
    answer_deadline = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=o.batch.answer_days))
