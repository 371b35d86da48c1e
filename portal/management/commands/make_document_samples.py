"""`manage.py make_document_samples`: one sample PDF of every registered document kind, printed from
the demo data, into docs/samples/ with a README listing them.

By default it works on a throwaway database: it runs itself again in a child process on a new SQLite
file in a temporary folder (DATABASE_URL and DJANGO_MEDIA_ROOT point there), migrates it, seeds the
demo (`seed_demo`), prints, and the folder is deleted. `--use-current-database` prints from the
database the settings name instead (add `--seed` to run seed_demo on it first; the static files must be
collected, or DJANGO_MANIFEST_STATIC=0 set); whatever the samples
need that the demo lacks (a council meeting with its ballots, an issued decision) is created inside
a transaction that is rolled back, so that database is left as it was.

SAMPLES says, for each kind, which parameters to print it with; tests/portal/test_document_samples.py
renders every registered kind with them and fails when a kind has no entry, so a new kind is added here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from portal.documents import document_kinds, get_document_kind
from portal.documents.render import pdf_filename, render_pdf

# The demo logins, in the order a sample is printed as the first one allowed to (portal.demo).
PRINTERS = ("thiduakt", "quantri", "vanphong", "hoidong", "lanhdao", "canbo")
SAMPLE_UNIT = "STP-HN"  # the demo leader's unit: a work plan of a readable size


class NoSample(LookupError):
    """The database has nothing to print this kind from."""


@dataclass(frozen=True)
class Sample:
    """How to print a kind from the demo data: its parameters, and a file name without the extension."""

    params: Callable[[], dict]
    name: str


def _latest_campaign():
    from emulation.enums import CampaignState
    from emulation.models import Campaign

    campaign = (
        Campaign.objects.filter(state=CampaignState.PUBLISHED).order_by("-year", "pk").first()
        or Campaign.objects.exclude(state=CampaignState.DRAFT).order_by("-year", "pk").first()
    )
    if campaign is None:
        raise NoSample("no campaign past its draft")
    return campaign


def work_plan_params() -> dict:
    from office.enums import PlanState
    from office.models import WorkPlan

    plans = WorkPlan.objects.filter(state=PlanState.ISSUED).annotate(tasks_count=Count("tasks")).filter(tasks_count__gt=0)
    plan = plans.filter(unit__code=SAMPLE_UNIT).order_by("-year").first() or plans.order_by("-year", "tasks_count").first()
    if plan is None:
        raise NoSample("no issued work plan with tasks")
    return {"unit": plan.unit_id, "year": plan.year}


def ranking_params() -> dict:
    return {"campaign": _latest_campaign().pk}


def scorecard_params() -> dict:
    """The scorecard of the campaign whose appraisal changed the most lines (the interesting one)."""
    from emulation.models import Scorecard

    card = (
        Scorecard.objects.filter(campaign=_latest_campaign())
        .annotate(changed=Count("lines", filter=Q(lines__appraised=True)))
        .order_by("-changed", "unit__sort_key", "pk")
        .first()
    )
    if card is None:
        raise NoSample("no scorecard")
    return {"scorecard": card.pk}


def summary_params() -> dict:
    """The last year with awards: the demo's history ends the year before its campaigns' current year."""
    from commendations.models import AwardRecord

    year = AwardRecord.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise NoSample("no award records")
    return {"year": year, "annex": True}


def sample_decision():
    """The latest issued decision with awardees; when the data has none (the demo has none), a
    small one made for the sample: a closed council meeting that voted on five people of the demo
    leader's unit and the decision awarding them (rows written directly, as a finished workflow
    would have left them)."""
    from commendations.enums import Attendance, DecisionState, DossierState, MeetingState, NomineeState
    from commendations.models import (
        Award,
        Ballot,
        BaseSalary,
        CouncilMeeting,
        Decision,
        DecisionLine,
        Dossier,
        MeetingMember,
        Nominee,
    )
    from portal.enums import Role
    from portal.models import Person, Unit

    decision = (
        Decision.objects.filter(state=DecisionState.ISSUED).annotate(n=Count("lines")).filter(n__gt=0)
        .order_by("-signed_on", "-pk").first()
    )
    if decision is not None:
        return decision
    unit = Unit.objects.filter(code=SAMPLE_UNIT).first() or Unit.objects.filter(people__isnull=False).order_by("path").first()
    people = list(Person.objects.filter(unit=unit, is_active=True).order_by("sort_key", "pk")[:5])
    members = list(
        get_user_model().objects.filter(role_grants__role=Role.COUNCIL_MEMBER, is_active=True).distinct()
        .select_related("person").order_by("username")
    )
    awards = {award.code: award for award in Award.objects.filter(code__in=["CSTDCS", "LDTT", "BKBT", "TTLDTT"])}
    if unit is None or not people or not members or len(awards) < 4:
        raise NoSample("no unit with people, no council member or no award catalogue")
    year = timezone.localdate().year - 1
    signed = date(year, 12, 26)
    names = [str(getattr(user, "person", None) or user.get_full_name() or user.username) for user in members]
    meeting = CouncilMeeting.objects.create(
        title=f"Phiên họp xét khen thưởng năm {year}", held_on=date(year, 12, 18),
        place="Phòng họp tầng 3, trụ sở Bộ", chair=names[0], secretary=names[-1],
        state=MeetingState.CLOSED, closed_at=timezone.now(),
    )
    attendance = [Attendance.PRESENT] * (len(members) - 1) + [Attendance.WRITTEN]
    MeetingMember.objects.bulk_create(
        [MeetingMember(meeting=meeting, user=user, attendance=mark) for user, mark in zip(members, attendance, strict=True)]
    )
    dossier = Dossier.objects.create(
        unit=unit, year=year, title=f"Hồ sơ đề nghị khen thưởng năm {year} của {unit.name}",
        state=DossierState.DECIDED, meeting=meeting,
    )
    codes = ["CSTDCS", "CSTDCS", "LDTT", "LDTT", "BKBT"]
    nominees = [
        Nominee(dossier=dossier, person=person, award=awards[code], state=NomineeState.AWARDED, position=index,
                achievements="Hoàn thành xuất sắc nhiệm vụ được giao.", search_text=person.search_text)
        for index, (person, code) in enumerate(zip(people, codes, strict=False), start=1)
    ]
    nominees.append(Nominee(dossier=dossier, unit=unit, award=awards["TTLDTT"], state=NomineeState.AWARDED,
                            position=len(nominees) + 1, search_text=unit.search_text))
    Nominee.objects.bulk_create(nominees)
    nominees = list(Nominee.objects.filter(dossier=dossier).select_related("award").order_by("position"))
    total = len(members)
    for index, nominee in enumerate(nominees):
        room, written = total - 1 - index % 2, 1
        Ballot.objects.create(
            meeting=meeting, nominee=nominee, in_favour=room, written_in_favour=written, against=index % 2,
            members_total=total, pass_mark_percent=nominee.award.pass_mark_percent or Decimal(0), passed=True,
        )
    base = BaseSalary.objects.filter(effective_from__lte=signed).order_by("-effective_from").first()
    amount = base.amount if base else Decimal(0)
    decision = Decision.objects.create(
        number="2468/QĐ-BTP", signed_on=signed, signer="Nguyễn Văn Thứ", signer_title="Thứ trưởng",
        state=DecisionState.ISSUED, base_salary=amount, issued_at=timezone.now(),
    )
    DecisionLine.objects.bulk_create([
        DecisionLine(decision=decision, nominee=nominee, reward_multiple=nominee.award.reward_multiple,
                     amount=nominee.award.reward_multiple * amount, position=index)
        for index, nominee in enumerate(nominees)
    ])
    return decision


def decision_params() -> dict:
    return {"decision": sample_decision().pk}


def minutes_params() -> dict:
    from commendations.enums import MeetingState
    from commendations.models import CouncilMeeting

    meeting = sample_decision().lines.select_related("nominee__dossier").first().nominee.dossier.meeting
    meeting = meeting or CouncilMeeting.objects.filter(state=MeetingState.CLOSED).annotate(
        n=Count("ballots")).filter(n__gt=0).order_by("-held_on").first()
    if meeting is None:
        raise NoSample("no council meeting with ballots")
    return {"meeting": meeting.pk}


def certificates_params() -> dict:
    return {"decision": sample_decision().pk, "only": ""}


SAMPLES: dict[str, Sample] = {
    "office.work_plan_report": Sample(work_plan_params, "office-work-plan-report"),
    "emulation.campaign_ranking": Sample(ranking_params, "emulation-campaign-ranking"),
    "emulation.scorecard": Sample(scorecard_params, "emulation-scorecard"),
    "commendations.year_end_summary": Sample(summary_params, "commendations-year-end-summary"),
    "commendations.decision": Sample(decision_params, "commendations-decision"),
    "commendations.council_minutes": Sample(minutes_params, "commendations-council-minutes"),
    "commendations.certificates": Sample(certificates_params, "commendations-certificates"),
}


def printable_kinds() -> list:
    """The registered kinds a reader would print (test-only kinds, "tests.*", left out)."""
    return [kind for kind in document_kinds() if not kind.kind.startswith("tests.")]


def sample_printer(kind, params: dict):
    """The first demo login (then any active user with a role) allowed to print it."""
    User = get_user_model()
    candidates = list(User.objects.filter(username__in=PRINTERS, is_active=True))
    candidates.sort(key=lambda user: PRINTERS.index(user.username))
    candidates += list(User.objects.filter(is_active=True, role_grants__isnull=False).exclude(username__in=PRINTERS)
                       .distinct().order_by("pk")[:50])
    for user in candidates:
        if kind.allows(user, params):
            return user
    raise NoSample("nobody may print it")


@dataclass(frozen=True)
class Printed:
    kind: str
    label: str
    filename: str
    title: str
    pages: int
    size: int
    params: dict


def print_samples(output: Path, *, kinds: list[str] | None = None, stdout=None) -> list[Printed]:
    """Render one PDF per kind into `output`; returns what was printed. Raises CommandError for a
    registered kind without an entry in SAMPLES."""
    wanted = [kind for kind in printable_kinds() if kinds is None or kind.kind in kinds]
    missing = [kind.kind for kind in wanted if kind.kind not in SAMPLES]
    if missing:
        raise CommandError(f"No sample parameters for {', '.join(missing)}: add them to SAMPLES in {__name__}.")
    order = list(SAMPLES)
    wanted.sort(key=lambda kind: order.index(kind.kind))
    output.mkdir(parents=True, exist_ok=True)
    printed = []
    for kind in wanted:
        sample = SAMPLES[kind.kind]
        try:
            params = sample.params()
            user = sample_printer(kind, params)
        except NoSample as error:
            if stdout:
                stdout.write(f"  {kind.kind}: skipped — {error}")
            continue
        with translation.override("vi"):
            document = kind.build(params, user, lambda percent: None)
            rendered = render_pdf(document)
        path = output / f"{sample.name}.pdf"
        path.write_bytes(rendered.pdf)
        printed.append(Printed(kind.kind, str(kind.label), path.name, document.title, rendered.page_count,
                               len(rendered.pdf), params))
        if stdout:
            stdout.write(f"  {kind.kind}: {path.name} — {rendered.page_count} trang, {len(rendered.pdf) // 1024} kB "
                         f"({pdf_filename(document)})")
    return printed


def readme(printed: list[Printed]) -> str:
    lines = [
        "# Sample documents",
        "",
        "One PDF of each kind of document the portal prints (Nghị định 30/2020 layout, Liberation Serif",
        f"embedded), rendered from the demo data by `manage.py make_document_samples` on {timezone.localdate():%d/%m/%Y}.",
        "Regenerate them after changing a document template or the Vietnamese catalogue (state names):",
        "",
        "```sh",
        ".venv/bin/python manage.py make_document_samples            # throwaway SQLite database + seed_demo",
        ".venv/bin/python manage.py make_document_samples --use-current-database   # the configured database",
        "```",
        "",
        "The decision, the council minutes and the certificates are those of the latest issued decision;",
        "when the data has none, the command makes a small one (five people and a collective of Sở Tư pháp",
        "Hà Nội, voted by a closed council meeting) in a transaction it rolls back.",
        "",
        "| File | Document | Pages | Size | Printed with |",
        "|---|---|---|---|---|",
    ]
    for item in printed:
        params = ", ".join(f"{key}={value}" for key, value in item.params.items() if value not in ("", None))
        lines.append(f"| [{item.filename}]({item.filename}) | {item.title} (`{item.kind}`) | {item.pages} | "
                     f"{max(1, round(item.size / 1024))} kB | {params} |")
    lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Print one sample PDF of every registered document kind from the demo data into docs/samples/ "
        "(with a README). By default on a throwaway SQLite database seeded with seed_demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "samples"),
                            help="folder of the PDFs and README.md (default docs/samples)")
        parser.add_argument("--use-current-database", action="store_true",
                            help="print from the configured database (changes are rolled back) instead of a throwaway one")
        parser.add_argument("--seed", action="store_true", help="with --use-current-database: run seed_demo first")
        parser.add_argument("--kind", action="append", dest="kinds", help="only this kind (repeatable)")

    def handle(self, *args, output: str, use_current_database: bool, seed: bool, kinds: list[str] | None, **options):
        output_path = Path(output).resolve()
        for kind in kinds or []:
            get_document_kind(kind)  # an unknown name fails here, clearly
        if not use_current_database:
            self._in_a_throwaway_database(output_path, kinds)
            return
        _check_static_files()
        if seed:
            call_command("seed_demo", stdout=self.stdout)
        self.stdout.write(f"Tài liệu mẫu (document samples) → {output_path}")
        with transaction.atomic():
            printed = print_samples(output_path, kinds=kinds, stdout=self.stdout)
            transaction.set_rollback(True)
        if kinds is None:
            for stale in output_path.glob("*.pdf"):
                if stale.name not in {item.filename for item in printed}:
                    stale.unlink()
            (output_path / "README.md").write_text(readme(printed), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{len(printed)} mẫu (samples) written."))

    def _in_a_throwaway_database(self, output: Path, kinds: list[str] | None) -> None:
        with tempfile.TemporaryDirectory(prefix="document-samples-") as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'samples.sqlite3'}",
                "DJANGO_MEDIA_ROOT": str(Path(folder) / "media"),
                "CELERY_BROKER_URL": "",
                "DJANGO_MANIFEST_STATIC": "0",  # the static files are read from static/, nothing is collected
            }
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            self.stdout.write(f"Cơ sở dữ liệu tạm (throwaway database): {folder}")
            for command in (["migrate", "--no-input", "-v", "0"],
                            ["make_document_samples", "--use-current-database", "--seed", "--output", str(output),
                             *[arg for kind in kinds or [] for arg in ("--kind", kind)]]):
                result = subprocess.run([*manage, *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
                if command[0] != "migrate":
                    self.stdout.write(_printed_lines(result.stdout))
                if result.returncode:
                    raise CommandError(f"{' '.join(command[:1])} failed:\n{result.stdout[-4000:]}")


def _check_static_files() -> None:
    """The documents link their stylesheet with {% static %}: with the manifest storage (DEBUG off)
    that needs `collectstatic` first."""
    from django.templatetags.static import static

    try:
        static("documents/nd30.css")
    except ValueError as error:
        raise CommandError(
            f"{error}. Run `manage.py collectstatic` first, or set DJANGO_MANIFEST_STATIC=0 (or DJANGO_DEBUG=1)."
        ) from None


def _printed_lines(output: str) -> str:
    """The child's report without seed_demo's login table (it is a throwaway database)."""
    keep = [line for line in output.splitlines()
            if line.startswith(("  ", "Tài liệu mẫu", "Traceback")) or line.endswith("(samples) written.")]
    return "\n".join(keep)
