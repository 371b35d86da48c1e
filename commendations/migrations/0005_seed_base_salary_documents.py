"""Seed the base salary (lương cơ sở) in force and the papers each award of the catalogue needs.

Frozen data, like 0002: admins change both later in the portal; this migration never reads code.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

BASE_SALARIES = (
    (Decimal("1800000"), date(2023, 7, 1), "Nghị định 24/2023/NĐ-CP"),
    (Decimal("2340000"), date(2024, 7, 1), "Nghị định 73/2024/NĐ-CP"),
)

# Every nominee carries an achievement report; titles built on initiatives need their certification,
# ratings-based forms the certification of the annual rating.
REPORT = ["achievement_report"]
REQUIRED_DOCUMENTS = {
    "LDTT": REPORT,
    "CSTDCS": REPORT,
    "CSTDBO": REPORT + ["initiative_certificate"],
    "CSTDTQ": REPORT + ["initiative_certificate"],
    "TTLDTT": REPORT,
    "TTLDXS": REPORT,
    "COTDBO": REPORT,
    "COTDCP": REPORT,
    "GK": REPORT,
    "BKBT": REPORT + ["rating_certificate"],
    "BKTTG": REPORT + ["rating_certificate"],
}


def seed(apps, schema_editor):
    BaseSalary = apps.get_model("commendations", "BaseSalary")
    Award = apps.get_model("commendations", "Award")
    for amount, start, basis in BASE_SALARIES:
        BaseSalary.objects.get_or_create(effective_from=start, defaults={"amount": amount, "legal_basis": basis})
    for code, kinds in REQUIRED_DOCUMENTS.items():
        Award.objects.filter(code=code, required_documents=[]).update(required_documents=kinds)


def unseed(apps, schema_editor):
    apps.get_model("commendations", "BaseSalary").objects.filter(
        effective_from__in=[start for _amount, start, _basis in BASE_SALARIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("commendations", "0004_dossiers_council_decisions")]
    operations = [migrations.RunPython(seed, unseed)]
