"""`manage.py seed_demo`: load (or refresh) the demo organisation and print the demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.demo import DEFAULT_PASSWORD, build_demo
from portal.enums import Role


class Command(BaseCommand):
    help = (
        "Create or refresh a demo Ministry of Justice: units, emulation clusters, a few hundred staff, "
        "one login per role, and a year of work plans (about 1,000 tasks) with a batch of voters' "
        "petitions; the public holidays the Labour Code fixes (1/1, 30/4, 1/5, 2/9) for the year and the "
        "next, the others being entered in the admin as announced. Running it again changes nothing. For "
        "demonstration instances only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of every demo login (default {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="emulation year of the clusters and year of the work plans (default: the current year)",
        )

    def handle(self, *args, password: str, year: int | None, **options):
        year = year or timezone.localdate().year
        if not 1991 <= year <= 2100:
            raise CommandError(
                "--year must lie between 1991 and 2100 (the clusters are also seeded for year - 1)."
            )
        if not password:
            raise CommandError("--password must not be empty.")
        result = build_demo(year=year, password=password, stdout=self.stdout)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản demo (demo logins):"))
        for line in _table([row for row in result["logins"] if row["listed"]]):
            self.stdout.write(line)
        others = [row for row in result["logins"] if not row["listed"]]
        members = [row["username"] for row in others if Role.COUNCIL_MEMBER in row["roles"]]
        leaders = [row["username"] for row in others if Role.COUNCIL_MEMBER not in row["roles"]]
        if members:
            self.stdout.write(
                f"Hội đồng Thi đua – Khen thưởng còn {len(members)} thành viên khác: {', '.join(members)}, "
                f"cùng mật khẩu (the other council members, same password)."
            )
        if leaders:
            self.stdout.write(
                f"Lãnh đạo các Sở Tư pháp có hồ sơ đề nghị khen thưởng mẫu: {', '.join(leaders)}, cùng mật khẩu "
                f"(leaders of the other units with demo dossiers, same password)."
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Mở {settings.PORTAL_BASE_URL}/ để đăng nhập (open it in a browser to sign in)."
            )
        )


def _table(rows: list[dict]) -> list[str]:
    """The listed demo logins as aligned text columns."""
    header = (
        "Tên đăng nhập (username)",
        "Mật khẩu (password)",
        "Vai trò (role)",
        "Đơn vị (unit)",
        "Người (person)",
    )
    body = [
        (
            row["username"],
            row["password"],
            ", ".join(f"{Role(role).label} ({role})" for role in row["roles"]),
            row["unit"],
            f"{row['full_name']}, {row['position']}",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [header, tuple("-" * width for width in widths), *body]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
