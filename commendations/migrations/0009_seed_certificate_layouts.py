"""Seed three blank types with positions that fit the usual blanks: Bằng khen của Bộ trưởng (A3
landscape), Giấy khen (A4 landscape) and the certificate of emulation titles (A4 landscape).

Frozen data like 0002 and 0005: the office measures its own blanks on the calibration page
(commendations:certificate_layouts) and moves the fields there; this migration never reads code.
State-level awards (Chiến sĩ thi đua toàn quốc, Cờ thi đua của Chính phủ, Bằng khen của Thủ tướng)
are printed by the Government, so no blank of the ministry is linked to them.
"""

from django.db import migrations


def _field(key, x, y, width, size, align="center", bold=False, italic=False):
    return {"key": key, "x": x, "y": y, "width": width, "font_size": size, "align": align,
            "bold": bold, "italic": italic, "enabled": True}


# A3 landscape (420 × 297 mm): the emblem, "BỘ TRƯỞNG BỘ TƯ PHÁP" and "TẶNG BẰNG KHEN" are printed
# in the upper third; the texts go under them, the signature block on the right, the decision on the left.
A3_FIELDS = [
    _field("recipient", 60, 128, 300, 28, bold=True),
    _field("position", 60, 146, 300, 18),
    _field("achievement", 60, 162, 300, 18, italic=True),
    _field("decision", 40, 228, 150, 13, align="left", italic=True),
    _field("place_date", 235, 200, 160, 16, italic=True),
    _field("signer_title", 235, 210, 160, 16, bold=True),
    _field("signer_name", 235, 258, 160, 18, bold=True),
]
# A4 landscape (297 × 210 mm): the same blank scaled down.
A4_FIELDS = [
    _field("recipient", 35, 90, 227, 22, bold=True),
    _field("position", 35, 103, 227, 14),
    _field("achievement", 35, 114, 227, 14, italic=True),
    _field("decision", 25, 162, 110, 11, align="left", italic=True),
    _field("place_date", 160, 142, 120, 12, italic=True),
    _field("signer_title", 160, 149, 120, 12, bold=True),
    _field("signer_name", 160, 184, 120, 14, bold=True),
]

LAYOUTS = (
    ("Bằng khen của Bộ trưởng", "A3", A3_FIELDS, "Đã có thành tích xuất sắc trong công tác năm {year}", ("BKBT",)),
    ("Giấy khen", "A4", A4_FIELDS, "Đã có thành tích xuất sắc trong công tác năm {year}", ("GK",)),
    (
        "Giấy chứng nhận danh hiệu thi đua", "A4", A4_FIELDS, "Đạt danh hiệu “{award}” năm {year}",
        ("LDTT", "CSTDCS", "CSTDBO", "TTLDTT", "TTLDXS", "COTDBO"),
    ),
)


def seed(apps, schema_editor):
    CertificateLayout = apps.get_model("commendations", "CertificateLayout")
    CertificateLayoutAward = apps.get_model("commendations", "CertificateLayoutAward")
    Award = apps.get_model("commendations", "Award")
    for name, paper, fields, achievement, codes in LAYOUTS:
        layout, created = CertificateLayout.objects.get_or_create(
            name=name,
            defaults={"paper": paper, "orientation": "landscape", "fields": fields, "achievement_text": achievement},
        )
        if not created:
            continue
        for award in Award.objects.filter(code__in=codes):
            if not CertificateLayoutAward.objects.filter(award=award).exists():
                CertificateLayoutAward.objects.create(layout=layout, award=award)


def unseed(apps, schema_editor):
    apps.get_model("commendations", "CertificateLayout").objects.filter(
        name__in=[name for name, *_rest in LAYOUTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("commendations", "0008_certificate_layout")]
    operations = [migrations.RunPython(seed, unseed)]
