"""factory_boy factories for the commendation app: history rows (awards, ratings, initiatives,
holds) of a person or a unit, and the catalogue's awards and rule versions.

The catalogue (awards LDTT, CSTDCS, CSTDBO…, their legal bases and rules) is seeded by migration
0002, so AwardRecordFactory looks an award up by code rather than creating one.
"""

import importlib
from datetime import date

import factory
from django.apps import apps as django_apps

from commendations import eligibility
from commendations.enums import (
    AwardCategory,
    AwardKind,
    AwardLevel,
    HoldKind,
    InitiativeLevel,
    RatingGrade,
    Subject,
)
from commendations.models import Award, AwardRecord, AwardRule, Hold, Initiative, LegalBasis, Rating
from portal.models import Unit
from tests.factories import PersonFactory


def ensure_catalogue() -> None:
    """The award catalogue and the base salary are seeded by data migrations; a transactional test
    that ran before (pytest-django runs those last) flushed them: put them back the way the
    migrations do."""
    if not Award.objects.filter(code=eligibility.CSTDBO).exists():
        importlib.import_module("commendations.migrations.0002_seed_catalogue").seed(django_apps, None)
        importlib.import_module("commendations.migrations.0005_seed_base_salary_documents").seed(django_apps, None)


def award(code: str) -> Award:
    """A seeded award of the catalogue."""
    return Award.objects.get(code=code)


class LegalBasisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalBasis

    code = factory.Sequence(lambda n: f"{n + 1}/2030/TT-TEST")
    title = factory.LazyAttribute(lambda basis: f"Thông tư thử nghiệm {basis.code}")
    effective_from = date(2024, 1, 1)


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    code = factory.Sequence(lambda n: f"TEST{n}")
    name = factory.Sequence(lambda n: f"Danh hiệu thử nghiệm {n}")
    category = AwardCategory.TITLE
    subject = Subject.PERSON
    level = AwardLevel.UNIT
    decided_by = "Thủ trưởng đơn vị"
    position = factory.Sequence(lambda n: 100 + n)


class AwardRuleFactory(factory.django.DjangoModelFactory):
    """A rule version: by default "not on hold" only, under a new legal basis."""

    class Meta:
        model = AwardRule

    award = factory.SubFactory(AwardFactory)
    subject = Subject.PERSON
    legal_basis = factory.SubFactory(LegalBasisFactory)
    effective_from = date(2024, 1, 1)
    rule = factory.LazyFunction(lambda: eligibility.rule_to_data(eligibility.All((eligibility.NotOnHold(),))))


class AwardRecordFactory(factory.django.DjangoModelFactory):
    """A merit award of the seeded catalogue to a person (``award__code``-free: pass ``award=award("CSTDCS")``)."""

    class Meta:
        model = AwardRecord

    person = factory.SubFactory(PersonFactory)
    unit = None
    award = factory.LazyFunction(lambda: award(eligibility.LDTT))
    year = 2024
    kind = AwardKind.MERIT
    decision_number = factory.Sequence(lambda n: f"{n + 1}/QĐ-TEST")
    decided_on = factory.LazyAttribute(lambda record: date(record.year, 12, 15))


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    person = factory.SubFactory(PersonFactory)
    unit = None
    year = 2024
    grade = RatingGrade.HTXSNV
    months_worked = 12
    maternity_months = 0


class InitiativeFactory(factory.django.DjangoModelFactory):
    """An initiative; ``authors=[person, ...]`` links its authors."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Sáng kiến thử nghiệm {n}")
    year = 2024
    level = InitiativeLevel.MINISTRY
    decision_number = factory.Sequence(lambda n: f"{n + 1}/QĐ-SK")

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)


class HoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hold

    person = factory.SubFactory(PersonFactory)
    unit = None
    kind = HoldKind.DISCIPLINE
    start = date(2024, 3, 1)
    end = None


# --- Builders for whole histories (a few queries each, whatever their length) ------------------


def give_titles(owner, code: str, years, *, kind: str = AwardKind.MERIT) -> list[AwardRecord]:
    """Merit (or other) awards of one code to a person or a unit, one per year."""
    target = {"unit": owner, "person": None} if isinstance(owner, Unit) else {"person": owner}
    return [AwardRecordFactory(award=award(code), year=year, kind=kind, **target) for year in years]


def give_ratings(owner, grades: dict[int, str], **fields) -> list[Rating]:
    target = {"unit": owner, "person": None} if isinstance(owner, Unit) else {"person": owner}
    return [RatingFactory(year=year, grade=grade, **target, **fields) for year, grade in grades.items()]


def cstdbo_history(person, *, year: int, cstdcs_years=None, initiative_year=None, consumed_by=None) -> Initiative:
    """What Chiến sĩ thi đua cấp Bộ needs for proposal year ``year``: HTXSNV and LĐTT in the three
    years ending at it, CSTĐCS in ``cstdcs_years`` (default: all three) and a ministry-level
    initiative (used by ``consumed_by`` when given)."""
    window = [year - 2, year - 1, year]
    give_ratings(person, dict.fromkeys(window, RatingGrade.HTXSNV))
    give_titles(person, eligibility.LDTT, window)
    give_titles(person, eligibility.CSTDCS, window if cstdcs_years is None else cstdcs_years)
    return InitiativeFactory(
        year=initiative_year or year - 1, level=InitiativeLevel.MINISTRY, authors=[person], consumed_by=consumed_by
    )


# --- Dossiers, nominees and their papers (issue 5, stage 2) -----------------------------------------

from django.core.files.base import ContentFile  # noqa: E402

from commendations.enums import DOSSIER_DOCUMENTS, DocumentKind, DossierState  # noqa: E402
from commendations.models import Dossier, DossierDocument, Nominee  # noqa: E402
from portal.text import fold  # noqa: E402
from tests.factories import UnitFactory  # noqa: E402

# The smallest bytes the upload check accepts as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier of a unit (a draft unless ``state`` says otherwise), without nominees or papers."""

    class Meta:
        model = Dossier

    unit = factory.SubFactory(UnitFactory)
    year = 2025
    kind = AwardKind.MERIT
    title = factory.Sequence(lambda n: f"Hồ sơ đề nghị khen thưởng số {n + 1}")
    state = DossierState.DRAFT


class NomineeFactory(factory.django.DjangoModelFactory):
    """A person of the dossier's unit proposed for LĐTT, with a typed achievement report; pass
    ``person=None, unit=<unit>`` (and a collective award) for a collective."""

    class Meta:
        model = Nominee

    dossier = factory.SubFactory(DossierFactory)
    person = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..dossier.unit"))
    unit = None
    award = factory.LazyFunction(lambda: award(eligibility.LDTT))
    achievements = "Hoàn thành xuất sắc nhiệm vụ được giao, có sáng kiến được công nhận."
    position = factory.Sequence(lambda n: n + 1)
    search_text = factory.LazyAttribute(lambda n: fold(n.person.full_name if n.person else n.unit.name))


class DossierDocumentFactory(factory.django.DjangoModelFactory):
    """A small PDF paper of the whole dossier (a cover memo unless ``kind`` says otherwise)."""

    class Meta:
        model = DossierDocument

    dossier = factory.SubFactory(DossierFactory)
    nominee = None
    kind = DocumentKind.COVER_MEMO
    original_name = factory.LazyAttribute(lambda d: f"{d.kind}.pdf")
    file = factory.LazyAttribute(lambda d: ContentFile(PDF_BYTES, name=d.original_name))
    size = len(PDF_BYTES)


def dossier_papers(dossier: Dossier) -> list[DossierDocument]:
    """The papers every dossier carries (tờ trình, danh sách, biên bản)."""
    return [DossierDocumentFactory(dossier=dossier, kind=kind) for kind in DOSSIER_DOCUMENTS]


def nominee_papers(nominee: Nominee) -> list[DossierDocument]:
    """The papers the nominee's award requires besides the (typed) achievement report."""
    return [
        DossierDocumentFactory(dossier=nominee.dossier, nominee=nominee, kind=kind)
        for kind in nominee.award.required_documents or []
        if kind != DocumentKind.ACHIEVEMENT_REPORT
    ]


def ready_dossier(unit, *, year: int = 2025, nominees=(), **fields) -> Dossier:
    """A dossier with its own papers and one nominee per (person, award code) in ``nominees``, each
    with its report and required papers: ready to be submitted (or, with ``state``, already further)."""
    dossier = DossierFactory(unit=unit, year=year, **fields)
    dossier_papers(dossier)
    for person, code in nominees:
        nominee_papers(NomineeFactory(dossier=dossier, person=person, award=award(code)))
    return dossier
