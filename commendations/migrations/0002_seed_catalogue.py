"""Seeds the legal bases, the award catalogue and the rules of DOMAIN.md (a frozen snapshot of
commendations.eligibility.default_rule_set at the time of writing, so later code changes do not
change what this migration wrote). Admins edit them afterwards; figures marked (verify) in
docs/eligibility.md are to be confirmed against the texts. Reward multiples of the Bằng khen and
Giấy khen are left at 0 until the ministry confirms them."""

import json
from datetime import date
from decimal import Decimal

from django.db import migrations

DATA = json.loads(r"""{
 "bases": [
  {
   "code": "06/2022/QH15",
   "title": "Luật Thi đua, khen thưởng số 06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null
  },
  {
   "code": "98/2023/NĐ-CP",
   "title": "Nghị định 98/2023/NĐ-CP quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
   "effective_from": "2024-01-01",
   "effective_to": "2025-06-30"
  },
  {
   "code": "152/2025/NĐ-CP",
   "title": "Nghị định 152/2025/NĐ-CP (thay thế Nghị định 98/2023/NĐ-CP)",
   "effective_from": "2025-07-01",
   "effective_to": null
  },
  {
   "code": "11/2023/TT-BTP",
   "title": "Thông tư 11/2023/TT-BTP hướng dẫn công tác thi đua, khen thưởng ngành Tư pháp",
   "effective_from": "2024-02-12",
   "effective_to": null
  }
 ],
 "rules": [
  {
   "award": "LDTT",
   "label": "Lao động tiên tiến",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "RatedAtLeast",
      "grade": "HTTNV",
      "years": 1,
      "since_award": null,
      "ending": "year",
      "article": ""
     }
    ],
    "article": "Điều 24 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "CSTDCS",
   "label": "Chiến sĩ thi đua cơ sở",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "HoldsTitle",
      "title": "LDTT",
      "years": 1,
      "ending": "year",
      "article": ""
     },
     {
      "type": "Any",
      "rules": [
       {
        "type": "RatedAtLeast",
        "grade": "HTXSNV",
        "years": 1,
        "since_award": null,
        "ending": "year",
        "article": ""
       },
       {
        "type": "HasInitiative",
        "min_level": "unit",
        "count": 1,
        "within_years": 1,
        "article": ""
       }
      ],
      "article": ""
     }
    ],
    "article": "Điều 23 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "CSTDBO",
   "label": "Chiến sĩ thi đua cấp Bộ",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "HoldsTitle",
      "title": "CSTDCS",
      "years": 3,
      "ending": "year",
      "article": ""
     },
     {
      "type": "HasInitiative",
      "min_level": "ministry",
      "count": 1,
      "within_years": 3,
      "article": ""
     }
    ],
    "article": "Điều 22 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "CSTDTQ",
   "label": "Chiến sĩ thi đua toàn quốc",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "HoldsTitleTimes",
      "title": "CSTDBO",
      "times": 2,
      "consecutive": true,
      "ending": "previous",
      "period": 3,
      "article": ""
     },
     {
      "type": "HasInitiative",
      "min_level": "national",
      "count": 1,
      "within_years": null,
      "article": ""
     }
    ],
    "article": "Điều 21 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "TTLDTT",
   "label": "Tập thể lao động tiên tiến",
   "subject": "collective",
   "legal_basis": "98/2023/NĐ-CP",
   "effective_from": "2024-01-01",
   "effective_to": "2025-06-30",
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "UnitRatedAtLeast",
      "grade": "HTTNV",
      "years": 1,
      "article": "Điều 28 Luật Thi đua, khen thưởng 2022"
     },
     {
      "type": "ShareOfMembersWithTitle",
      "title": "LDTT",
      "min_percent": "50",
      "inclusive": true,
      "article": ""
     }
    ],
    "article": "Điều 28 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "TTLDTT",
   "label": "Tập thể lao động tiên tiến",
   "subject": "collective",
   "legal_basis": "152/2025/NĐ-CP",
   "effective_from": "2025-07-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "UnitRatedAtLeast",
      "grade": "HTTNV",
      "years": 1,
      "article": "Điều 28 Luật Thi đua, khen thưởng 2022"
     },
     {
      "type": "ShareOfMembersWithTitle",
      "title": "LDTT",
      "min_percent": "50",
      "inclusive": false,
      "article": ""
     }
    ],
    "article": "Điều 28 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "TTLDXS",
   "label": "Tập thể lao động xuất sắc",
   "subject": "collective",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "UnitRatedAtLeast",
      "grade": "HTXSNV",
      "years": 1,
      "article": ""
     },
     {
      "type": "AllMembersRatedAtLeast",
      "grade": "HTNV",
      "article": ""
     },
     {
      "type": "ShareOfMembersWithTitle",
      "title": "LDTT",
      "min_percent": "70",
      "inclusive": true,
      "article": ""
     },
     {
      "type": "AtLeastOneMemberWithTitle",
      "title": "CSTDCS",
      "article": ""
     }
    ],
    "article": "Điều 27 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "COTDBO",
   "label": "Cờ thi đua cấp Bộ",
   "subject": "collective",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "LeadsCluster",
      "article": ""
     },
     {
      "type": "ElectedByCluster",
      "article": ""
     }
    ],
    "article": "Điều 26 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "COTDCP",
   "label": "Cờ thi đua của Chính phủ",
   "subject": "collective",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "LeadsCluster",
      "article": ""
     }
    ],
    "article": "Điều 25 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "GK",
   "label": "Giấy khen",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     }
    ],
    "article": "Điều 75 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "GK",
   "label": "Giấy khen",
   "subject": "collective",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     }
    ],
    "article": "Điều 75 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "BKBT",
   "label": "Bằng khen của Bộ trưởng",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "Any",
      "rules": [
       {
        "type": "HoldsTitle",
        "title": "CSTDCS",
        "years": 2,
        "ending": "year",
        "article": ""
       },
       {
        "type": "All",
        "rules": [
         {
          "type": "RatedAtLeast",
          "grade": "HTXSNV",
          "years": 2,
          "since_award": null,
          "ending": "year",
          "article": ""
         },
         {
          "type": "HasInitiative",
          "min_level": "unit",
          "count": 2,
          "within_years": 2,
          "article": ""
         }
        ],
        "article": ""
       }
      ],
      "article": ""
     }
    ],
    "article": "Điều 74 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "BKBT",
   "label": "Bằng khen của Bộ trưởng",
   "subject": "collective",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "Any",
      "rules": [
       {
        "type": "UnitRatedAtLeast",
        "grade": "HTXSNV",
        "years": 2,
        "article": ""
       },
       {
        "type": "HoldsTitle",
        "title": "TTLDXS",
        "years": 2,
        "ending": "year",
        "article": ""
       }
      ],
      "article": ""
     }
    ],
    "article": "Điều 74 Luật Thi đua, khen thưởng 2022"
   }
  },
  {
   "award": "BKTTG",
   "label": "Bằng khen của Thủ tướng Chính phủ",
   "subject": "person",
   "legal_basis": "06/2022/QH15",
   "effective_from": "2024-01-01",
   "effective_to": null,
   "rule": {
    "type": "All",
    "rules": [
     {
      "type": "NotOnHold",
      "article": "Luật Thi đua, khen thưởng 2022 (tạm hoãn xét khen thưởng khi đang bị kỷ luật, điều tra, khiếu nại)"
     },
     {
      "type": "HasAward",
      "award": "BKBT",
      "article": ""
     },
     {
      "type": "RatedAtLeast",
      "grade": "HTTNV",
      "years": 5,
      "since_award": "BKBT",
      "ending": "year",
      "article": ""
     },
     {
      "type": "TitleCountInWindow",
      "title": "CSTDCS",
      "count": 3,
      "window_from_award": "BKBT",
      "years": null,
      "ending": "year",
      "article": ""
     }
    ],
    "article": "Điều 73 Luật Thi đua, khen thưởng 2022"
   }
  }
 ],
 "awards": [
  {
   "code": "LDTT",
   "name": "Lao động tiên tiến",
   "category": "title",
   "subject": "person",
   "level": "unit",
   "decided_by": "Thủ trưởng đơn vị",
   "reward_multiple": "0.3",
   "pass_mark_percent": null,
   "secret_ballot": false
  },
  {
   "code": "CSTDCS",
   "name": "Chiến sĩ thi đua cơ sở",
   "category": "title",
   "subject": "person",
   "level": "unit",
   "decided_by": "Thủ trưởng đơn vị",
   "reward_multiple": "1.0",
   "pass_mark_percent": "80",
   "secret_ballot": true
  },
  {
   "code": "CSTDBO",
   "name": "Chiến sĩ thi đua ngành Tư pháp (cấp Bộ)",
   "category": "title",
   "subject": "person",
   "level": "ministry",
   "decided_by": "Bộ trưởng Bộ Tư pháp",
   "reward_multiple": "3.0",
   "pass_mark_percent": "90",
   "secret_ballot": true
  },
  {
   "code": "CSTDTQ",
   "name": "Chiến sĩ thi đua toàn quốc",
   "category": "title",
   "subject": "person",
   "level": "state",
   "decided_by": "Thủ tướng Chính phủ",
   "reward_multiple": "4.5",
   "pass_mark_percent": "90",
   "secret_ballot": true
  },
  {
   "code": "TTLDTT",
   "name": "Tập thể lao động tiên tiến",
   "category": "title",
   "subject": "collective",
   "level": "unit",
   "decided_by": "Thủ trưởng đơn vị",
   "reward_multiple": "0.8",
   "pass_mark_percent": null,
   "secret_ballot": false
  },
  {
   "code": "TTLDXS",
   "name": "Tập thể lao động xuất sắc",
   "category": "title",
   "subject": "collective",
   "level": "ministry",
   "decided_by": "Bộ trưởng Bộ Tư pháp",
   "reward_multiple": "1.5",
   "pass_mark_percent": null,
   "secret_ballot": false
  },
  {
   "code": "COTDBO",
   "name": "Cờ thi đua ngành Tư pháp (cấp Bộ)",
   "category": "title",
   "subject": "collective",
   "level": "ministry",
   "decided_by": "Bộ trưởng Bộ Tư pháp",
   "reward_multiple": "8.0",
   "pass_mark_percent": "80",
   "secret_ballot": true
  },
  {
   "code": "COTDCP",
   "name": "Cờ thi đua của Chính phủ",
   "category": "title",
   "subject": "collective",
   "level": "state",
   "decided_by": "Thủ tướng Chính phủ",
   "reward_multiple": "12.0",
   "pass_mark_percent": "80",
   "secret_ballot": true
  },
  {
   "code": "GK",
   "name": "Giấy khen",
   "category": "form",
   "subject": "both",
   "level": "unit",
   "decided_by": "Thủ trưởng đơn vị",
   "reward_multiple": "0",
   "pass_mark_percent": null,
   "secret_ballot": false
  },
  {
   "code": "BKBT",
   "name": "Bằng khen của Bộ trưởng",
   "category": "form",
   "subject": "both",
   "level": "ministry",
   "decided_by": "Bộ trưởng Bộ Tư pháp",
   "reward_multiple": "0",
   "pass_mark_percent": null,
   "secret_ballot": false
  },
  {
   "code": "BKTTG",
   "name": "Bằng khen của Thủ tướng Chính phủ",
   "category": "form",
   "subject": "person",
   "level": "state",
   "decided_by": "Thủ tướng Chính phủ",
   "reward_multiple": "0",
   "pass_mark_percent": null,
   "secret_ballot": false
  }
 ]
}""")


def _date(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    LegalBasis = apps.get_model("commendations", "LegalBasis")
    Award = apps.get_model("commendations", "Award")
    AwardRule = apps.get_model("commendations", "AwardRule")
    bases = {}
    for raw in DATA["bases"]:
        bases[raw["code"]], _created = LegalBasis.objects.get_or_create(
            code=raw["code"],
            defaults={"title": raw["title"], "effective_from": _date(raw["effective_from"]), "effective_to": _date(raw["effective_to"])},
        )
    awards = {}
    for position, raw in enumerate(DATA["awards"]):
        awards[raw["code"]], _created = Award.objects.get_or_create(
            code=raw["code"],
            defaults={
                "name": raw["name"], "category": raw["category"], "subject": raw["subject"], "level": raw["level"],
                "decided_by": raw["decided_by"], "reward_multiple": Decimal(raw["reward_multiple"]),
                "pass_mark_percent": Decimal(raw["pass_mark_percent"]) if raw["pass_mark_percent"] else None,
                "secret_ballot": raw["secret_ballot"], "position": position,
            },
        )
    for raw in DATA["rules"]:
        AwardRule.objects.get_or_create(
            award=awards[raw["award"]], subject=raw["subject"], effective_from=_date(raw["effective_from"]),
            defaults={"legal_basis": bases[raw["legal_basis"]], "effective_to": _date(raw["effective_to"]), "rule": raw["rule"]},
        )


class Migration(migrations.Migration):
    dependencies = [("commendations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
