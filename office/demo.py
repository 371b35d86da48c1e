"""Demo data of the work-plan app for `manage.py seed_demo`: the Office's plan year, one plan per
unit (and the ministry-wide programme on "BTP") with about a thousand tasks, their progress
reports and deadline adjustments, and a batch of voters' petitions.

Tasks are drawn from templates of real Ministry-of-Justice work ("Tổng kết 10 năm thi hành Luật
Hộ tịch", "Báo cáo sơ kết 6 tháng …") with `random.Random`, seeded per plan, and their dates are
placed relative to today so that the national status mix looks like a real year: about 45%
completed on time, 10% completed late, 30% within deadline, 10% overdue and 5% without one.

Rows are keyed on (year) for the plan year, (unit, year) for plans, the plan for its tasks (a
plan gets its tasks, codes unique within it, once: when it has none) and (body, session) /
(batch, code) for petitions. Only missing rows are written, with bulk_create, so re-running
creates nothing, even days later, and an older demo keeps its dates (a task due last week stays
overdue). Everything the models' save() would derive (search text, original deadline) is
derived here the same way. No audit entries or notifications are written for demo rows.
"""

from __future__ import annotations

import calendar
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from office.enums import (
    AdjustmentState,
    DeadlineKind,
    PetitionBody,
    PetitionClass,
    PlanState,
    Priority,
    TaskSource,
    TaskStatus,
)
from office.models import (
    DeadlineAdjustment,
    Petition,
    PetitionBatch,
    PlanYear,
    ProgressReport,
    Task,
    WorkPlan,
)
from office.status import effective_due_date
from portal.enums import UnitKind
from portal.models import Person, Unit
from portal.text import fold, nfc

SEED = "tdkt-office-demo"
MINISTRY = "BTP"
DEMO_STAFF_LOGIN = "canbo"  # the staff login of STP-HN: the browser demo shows their tasks
OFFICE_LOGIN = (
    "vanphong"  # the Office's plan coordinator, who decides adjustments of units without a leader login
)
PROGRAMME_TASKS = 140
UNIT_PLAN_TASKS = (16, 23)
UNISSUED_PLAN_TASKS = (10, 16)
STATUS_MIX = [
    (TaskStatus.COMPLETED_ON_TIME, 45),
    (TaskStatus.COMPLETED_LATE, 10),
    (TaskStatus.IN_PROGRESS, 30),
    (TaskStatus.OVERDUE, 10),
    (TaskStatus.NO_DEADLINE, 5),
]
SUBTASK_SHARE = 0.04
PETITION_SESSION = "Kỳ họp thứ 10, Quốc hội khóa XV"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --- Templates of tasks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    text: str  # str.format() fields: Y, Y1 (next year), field, law, n, unit, province, places, audience, quarter
    output: str
    months: tuple[int, int] | None = None  # the months a deadline plausibly falls in
    kind: str | None = None  # a deadline kind the text implies
    sources: tuple[str, ...] = ()  # who usually assigns it; empty: as the plan goes


T = Template
GOV, MIN = TaskSource.GOVERNMENT, TaskSource.MINISTER

PER_FIELD = [
    T("Xây dựng, ban hành Kế hoạch triển khai công tác {field} năm {Y}", "Kế hoạch", (1, 3)),
    T("Báo cáo sơ kết 6 tháng đầu năm {Y} về công tác {field}", "Báo cáo", (6, 7)),
    T("Báo cáo tổng kết công tác {field} năm {Y}, phương hướng, nhiệm vụ năm {Y1}", "Báo cáo", (11, 12)),
    T("Tổ chức hội nghị tập huấn nghiệp vụ {field} cho {audience}", "Hội nghị", (3, 11)),
    T("Báo cáo kết quả công tác {field} quý {quarter} năm {Y}", "Báo cáo", None, DeadlineKind.QUARTER),
    T("Kiểm tra công tác {field} tại {places}", "Báo cáo kết quả kiểm tra", (4, 11)),
    T("Rà soát, đề xuất phương án đơn giản hóa thủ tục hành chính trong lĩnh vực {field}", "Báo cáo"),
    T("Theo dõi tình hình thi hành pháp luật trong lĩnh vực {field}", "Báo cáo", (9, 12)),
    T("Hướng dẫn nghiệp vụ, giải đáp vướng mắc trong công tác {field}", "Công văn"),
    T("Thực hiện chế độ báo cáo thống kê về {field} năm {Y}", "Báo cáo thống kê", (10, 12)),
    T("Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong công tác {field}", "Báo cáo"),
]
PER_UNIT = [
    T(
        "Tổ chức phong trào thi đua, bình xét thi đua, khen thưởng năm {Y} của {unit}",
        "Quyết định khen thưởng",
        (11, 12),
    ),
    T("Xây dựng dự toán ngân sách năm {Y1} của {unit}", "Báo cáo", (7, 8)),
    T("Triển khai các nhiệm vụ phòng, chống tham nhũng, tiêu cực năm {Y} tại {unit}", "Báo cáo"),
    T(
        "Tổ chức các hoạt động hưởng ứng Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam năm {Y}",
        "Báo cáo",
        (10, 11),
    ),
    T("Đánh giá, xếp loại chất lượng công chức, viên chức năm {Y} của {unit}", "Báo cáo", (12, 12)),
    T("Xây dựng Kế hoạch công tác năm {Y1} của {unit}", "Kế hoạch", (12, 12)),
    T("Thực hiện nhiệm vụ cải cách hành chính năm {Y} tại {unit}", "Báo cáo"),
]
PER_LAW = [
    T("Tổng kết {n} năm thi hành {law}", "Báo cáo tổng kết", None, None, (MIN, GOV)),
    T("Nghiên cứu, đề xuất sửa đổi, bổ sung {law}", "Báo cáo"),
    T("Tổ chức tuyên truyền, phổ biến {law} cho cán bộ và nhân dân", "Báo cáo"),
]
PER_LAW_MINISTRY = [
    T(
        "Xây dựng, trình Bộ trưởng ban hành Thông tư hướng dẫn thi hành một số điều của {law}",
        "Thông tư",
        None,
        None,
        (MIN,),
    ),
    T(
        "Xây dựng, trình Bộ trưởng ban hành Quyết định phê duyệt Kế hoạch tổng kết thi hành {law}",
        "Quyết định của Bộ trưởng",
        (1, 5),
        None,
        (MIN,),
    ),
    T(
        "Xây dựng, trình Chính phủ Nghị định sửa đổi, bổ sung một số điều của Nghị định quy định chi tiết {law}",
        "Nghị định",
        None,
        None,
        (GOV,),
    ),
]
PER_LAW_PROVINCE = [
    T(
        "Tham mưu Ủy ban nhân dân {province} ban hành Kế hoạch triển khai thi hành {law} trên địa bàn",
        "Kế hoạch",
        (1, 6),
    ),
]

SPECIFIC: dict[str, list[Template]] = {
    "VP": [
        T(
            "Tổ chức Hội nghị tổng kết công tác tư pháp năm {Y} và triển khai nhiệm vụ năm {Y1}",
            "Hội nghị",
            (12, 12),
            None,
            (MIN,),
        ),
        T("Xây dựng Báo cáo công tác tư pháp 6 tháng đầu năm {Y}", "Báo cáo", (6, 7), None, (MIN,)),
        T(
            "Theo dõi, đôn đốc thực hiện nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao Bộ Tư pháp",
            "Báo cáo",
            None,
            None,
            (GOV,),
        ),
        T(
            "Xây dựng Chương trình công tác năm {Y1} của Bộ Tư pháp",
            "Quyết định của Bộ trưởng",
            (12, 12),
            None,
            (MIN,),
        ),
    ],
    "TDKT": [
        T("Hướng dẫn công tác thi đua, khen thưởng năm {Y} của Bộ Tư pháp", "Công văn", (1, 3)),
        T("Tổ chức phát động phong trào thi đua ngành Tư pháp năm {Y}", "Kế hoạch", (1, 3), None, (MIN,)),
        T("Thẩm định hồ sơ đề nghị khen thưởng cấp Nhà nước năm {Y}", "Tờ trình", (3, 9)),
        T("Tổ chức Hội nghị điển hình tiên tiến ngành Tư pháp", "Hội nghị", (9, 11), None, (MIN,)),
    ],
    "XDPL": [
        T(
            "Thẩm định dự án luật, pháp lệnh, dự thảo nghị định theo phân công của Lãnh đạo Bộ",
            "Báo cáo thẩm định",
            None,
            None,
            (MIN,),
        ),
        T("Tổng hợp, xây dựng đề nghị Chương trình lập pháp năm {Y1}", "Tờ trình", (2, 4), None, (GOV,)),
    ],
    "KTVB": [
        T(
            "Kiểm tra văn bản quy phạm pháp luật do Hội đồng nhân dân, Ủy ban nhân dân các tỉnh ban hành",
            "Báo cáo",
        ),
        T("Hợp nhất văn bản quy phạm pháp luật do Bộ Tư pháp ban hành", "Văn bản hợp nhất"),
        T("Cập nhật văn bản vào Cơ sở dữ liệu quốc gia về pháp luật", "Báo cáo"),
    ],
    "CNTT": [
        T("Nâng cấp Cổng thông tin điện tử Bộ Tư pháp", "Báo cáo", None, None, (MIN,)),
        T(
            "Triển khai dịch vụ công trực tuyến toàn trình cấp Phiếu lý lịch tư pháp",
            "Báo cáo",
            None,
            None,
            (GOV,),
        ),
        T("Vận hành, bảo đảm an toàn thông tin Hệ thống thông tin đăng ký và quản lý hộ tịch", "Báo cáo"),
        T(
            "Kết nối, chia sẻ dữ liệu hộ tịch với Cơ sở dữ liệu quốc gia về dân cư",
            "Báo cáo",
            None,
            None,
            (GOV,),
        ),
    ],
    "HTQT": [
        T("Tổ chức Đoàn công tác của Bộ Tư pháp làm việc tại Nhật Bản", "Báo cáo", (4, 10)),
        T(
            "Tổ chức Đoàn công tác của Bộ Tư pháp làm việc tại Cộng hòa Dân chủ Nhân dân Lào",
            "Báo cáo",
            (4, 10),
        ),
        T("Tổng kết Dự án hợp tác kỹ thuật với Cơ quan Hợp tác quốc tế Nhật Bản (JICA)", "Báo cáo tổng kết"),
        T("Thực hiện ủy thác tư pháp về dân sự theo Công ước La Hay về tống đạt giấy tờ", "Báo cáo"),
    ],
    "TCCB": [
        T(
            "Tổ chức thi nâng ngạch công chức ngành Tư pháp năm {Y}",
            "Quyết định của Bộ trưởng",
            (6, 11),
            None,
            (MIN,),
        ),
        T("Rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý các đơn vị thuộc Bộ", "Báo cáo"),
        T(
            "Xây dựng Đề án vị trí việc làm của các đơn vị thuộc Bộ",
            "Quyết định của Bộ trưởng",
            None,
            None,
            (MIN,),
        ),
    ],
    "KHTC": [
        T("Quyết toán ngân sách năm {Y_1} của các đơn vị dự toán thuộc Bộ", "Báo cáo", (3, 9)),
        T("Xây dựng Kế hoạch đầu tư công năm {Y1} của Bộ Tư pháp", "Kế hoạch", (6, 9), None, (GOV,)),
    ],
    "TTR": [
        T("Thanh tra việc chấp hành pháp luật về công chứng tại {places}", "Kết luận thanh tra", (3, 10)),
        T(
            "Thanh tra việc chấp hành pháp luật về đấu giá tài sản tại {places}",
            "Kết luận thanh tra",
            (3, 10),
        ),
        T("Tiếp công dân, giải quyết khiếu nại, tố cáo thuộc thẩm quyền của Bộ", "Báo cáo"),
        T("Kiểm tra việc thực hiện kết luận thanh tra năm {Y_1}", "Báo cáo"),
    ],
    "CCN": [
        T("Giải quyết hồ sơ nuôi con nuôi có yếu tố nước ngoài đúng thời hạn", "Báo cáo"),
        T("Kiểm tra tình hình nuôi con nuôi thực tế tại {places}", "Báo cáo kết quả kiểm tra", (4, 10)),
    ],
    "HTQTCT": [
        T("Giải quyết hồ sơ xin nhập, thôi, trở lại quốc tịch Việt Nam", "Tờ trình"),
        T("Hướng dẫn thống nhất việc chứng thực bản sao điện tử từ bản chính", "Công văn"),
    ],
    "BTTP": [
        T("Tổ chức kiểm tra kết quả tập sự hành nghề luật sư năm {Y}", "Quyết định của Bộ trưởng", (5, 11)),
        T(
            "Tổ chức kiểm tra kết quả tập sự hành nghề công chứng năm {Y}",
            "Quyết định của Bộ trưởng",
            (5, 11),
        ),
        T("Phát triển đội ngũ thừa phát lại tại các tỉnh, thành phố", "Báo cáo"),
    ],
    "TGPL": [
        T("Thực hiện vụ việc trợ giúp pháp lý tham gia tố tụng cho người được trợ giúp pháp lý", "Báo cáo"),
        T("Truyền thông về trợ giúp pháp lý cho người dân tộc thiểu số ở vùng đặc biệt khó khăn", "Báo cáo"),
    ],
    "DKGDBD": [
        T("Vận hành Hệ thống đăng ký trực tuyến biện pháp bảo đảm bằng động sản", "Báo cáo"),
        T(
            "Kiểm tra hoạt động của các Trung tâm Đăng ký giao dịch, tài sản",
            "Báo cáo kết quả kiểm tra",
            (4, 10),
        ),
    ],
    "PBGDPL": [
        T("Tổ chức Cuộc thi tìm hiểu pháp luật trực tuyến năm {Y}", "Kế hoạch", (4, 10)),
        T("Đánh giá, công nhận xã, phường đạt chuẩn tiếp cận pháp luật", "Báo cáo", (10, 12)),
        T(
            "Xây dựng, trình Bộ trưởng ban hành Quyết định phê duyệt Đề án truyền thông chính sách pháp luật",
            "Quyết định của Bộ trưởng",
            None,
            None,
            (MIN,),
        ),
    ],
    "QLTHA": [
        T(
            "Xây dựng, trình Bộ trưởng ban hành Chỉ thị về nhiệm vụ trọng tâm công tác thi hành án dân sự năm {Y}",
            "Chỉ thị",
            (1, 2),
            None,
            (MIN,),
        ),
        T(
            "Hướng dẫn xử lý án tồn đọng, án có giá trị lớn liên quan đến tín dụng, ngân hàng",
            "Công văn",
            None,
            None,
            (GOV,),
        ),
    ],
    "VKHPL": [
        T(
            "Thực hiện đề tài khoa học cấp Bộ về hoàn thiện pháp luật về kinh tế số",
            "Báo cáo tổng hợp kết quả nghiên cứu",
        ),
        T(
            "Tổ chức Hội thảo khoa học về trách nhiệm pháp lý đối với trí tuệ nhân tạo",
            "Kỷ yếu hội thảo",
            (4, 11),
        ),
    ],
    "DHLHN": [
        T("Tổ chức tuyển sinh đào tạo trình độ đại học ngành Luật năm {Y}", "Quyết định", (6, 9)),
        T("Biên soạn, cập nhật giáo trình Luật Hiến pháp Việt Nam", "Giáo trình"),
        T("Kiểm định chất lượng chương trình đào tạo trình độ thạc sĩ Luật", "Báo cáo"),
    ],
    "HVTP": [
        T("Tổ chức khóa đào tạo nghề luật sư năm {Y}", "Báo cáo", (3, 11)),
        T("Tổ chức khóa đào tạo nghề công chứng năm {Y}", "Báo cáo", (3, 11)),
        T("Bồi dưỡng nghiệp vụ cho thừa phát lại", "Báo cáo"),
    ],
    "BPLVN": [
        T("Thực hiện chuyên trang tuyên truyền về Ngày Pháp luật Việt Nam năm {Y}", "Báo cáo", (10, 11)),
        T("Phát triển Báo Pháp luật Việt Nam điện tử theo hướng đa phương tiện", "Báo cáo"),
    ],
    "TCDCPL": [
        T("Xuất bản các số Tạp chí Dân chủ và Pháp luật năm {Y} đúng kỳ hạn", "Báo cáo"),
        T(
            "Tổ chức tọa đàm khoa học về thi hành Luật Ban hành văn bản quy phạm pháp luật",
            "Kỷ yếu tọa đàm",
            (4, 11),
        ),
    ],
    "NXBTP": [
        T("Xuất bản bộ sách pháp luật phục vụ cán bộ tư pháp cấp xã", "Báo cáo"),
        T("Xuất bản sách hỏi – đáp pháp luật về hòa giải ở cơ sở", "Báo cáo"),
    ],
    "STP": [
        T(
            "Tham mưu Ủy ban nhân dân {province} ban hành Kế hoạch công tác phổ biến, giáo dục pháp luật năm {Y}",
            "Kế hoạch",
            (1, 3),
        ),
        T(
            "Kiểm tra công tác hộ tịch, chứng thực tại Ủy ban nhân dân các xã, phường",
            "Báo cáo kết quả kiểm tra",
            (4, 11),
        ),
        T("Thực hiện số hóa sổ hộ tịch trên địa bàn {province}", "Báo cáo"),
        T("Cấp Phiếu lý lịch tư pháp đúng thời hạn, mở rộng cấp qua dịch vụ công trực tuyến", "Báo cáo"),
        T("Tổ chức Hội thi hòa giải viên giỏi {province} năm {Y}", "Kế hoạch", (5, 10)),
        T(
            "Thẩm định dự thảo văn bản quy phạm pháp luật của Hội đồng nhân dân, Ủy ban nhân dân {province}",
            "Báo cáo thẩm định",
        ),
        T("Tổ chức tập huấn cho công chức Tư pháp – Hộ tịch các xã, phường", "Hội nghị", (3, 10)),
    ],
    "THADS": [
        T(
            "Phấn đấu thi hành xong trên 82% số việc và trên 46% số tiền có điều kiện thi hành",
            "Báo cáo",
            (9, 9),
            None,
            (MIN,),
        ),
        T(
            "Rà soát, phân loại án tồn đọng, án có giá trị lớn, án liên quan đến tín dụng, ngân hàng",
            "Báo cáo",
        ),
        T("Tổ chức cưỡng chế thi hành án đối với các vụ việc phức tạp, kéo dài", "Báo cáo"),
        T("Xác minh điều kiện thi hành án đối với các việc chưa có điều kiện thi hành", "Báo cáo"),
        T(
            "Kiểm tra công tác thi hành án dân sự tại Phòng Thi hành án dân sự khu vực 1",
            "Báo cáo kết quả kiểm tra",
            (3, 11),
        ),
        T(
            "Kiểm tra công tác thi hành án dân sự tại Phòng Thi hành án dân sự khu vực 2",
            "Báo cáo kết quả kiểm tra",
            (3, 11),
        ),
    ],
}

FIELDS: dict[str, list[str]] = {
    "VP": ["tổng hợp, điều phối chương trình công tác", "kiểm soát thủ tục hành chính", "văn thư, lưu trữ"],
    "VP-TH": ["tổng hợp, theo dõi nhiệm vụ được giao"],
    "VP-HC": ["hành chính, văn thư"],
    "VP-QT": ["quản trị, tài vụ"],
    "TDKT": ["thi đua, khen thưởng", "phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến"],
    "XDPL": ["xây dựng và thi hành pháp luật", "thẩm định văn bản quy phạm pháp luật"],
    "PLHSHC": [
        "pháp luật hình sự, hành chính",
        "quản lý công tác xử lý vi phạm hành chính",
        "bồi thường nhà nước",
    ],
    "PLDSKT": ["pháp luật dân sự, kinh tế", "pháp luật về đầu tư, kinh doanh"],
    "HTQT": ["hợp tác quốc tế về pháp luật", "tương trợ tư pháp"],
    "TCCB": ["tổ chức cán bộ", "đào tạo, bồi dưỡng công chức, viên chức"],
    "KHTC": ["kế hoạch, tài chính", "quản lý tài sản công"],
    "TTR": ["thanh tra", "tiếp công dân, giải quyết khiếu nại, tố cáo", "phòng, chống tham nhũng"],
    "KTVB": ["kiểm tra văn bản quy phạm pháp luật", "rà soát, hệ thống hóa văn bản quy phạm pháp luật"],
    "CCN": ["nuôi con nuôi trong nước", "nuôi con nuôi có yếu tố nước ngoài"],
    "HTQTCT": ["hộ tịch", "quốc tịch", "chứng thực"],
    "BTTP": ["luật sư", "công chứng", "đấu giá tài sản", "giám định tư pháp", "thừa phát lại"],
    "CNTT": ["chuyển đổi số", "bảo đảm an toàn thông tin"],
    "QLTHA": ["thi hành án dân sự", "theo dõi thi hành án hành chính"],
    "TGPL": ["trợ giúp pháp lý", "quản lý người thực hiện trợ giúp pháp lý"],
    "DKGDBD": ["đăng ký biện pháp bảo đảm", "cung cấp thông tin về biện pháp bảo đảm"],
    "PBGDPL": [
        "phổ biến, giáo dục pháp luật",
        "hòa giải ở cơ sở",
        "xây dựng cấp xã đạt chuẩn tiếp cận pháp luật",
    ],
    "VKHPL": ["nghiên cứu khoa học pháp lý", "thông tin khoa học pháp lý"],
    "DHLHN": ["đào tạo", "nghiên cứu khoa học"],
    "HVTP": ["đào tạo nghề", "bồi dưỡng chức danh tư pháp"],
    "BPLVN": ["thông tin, tuyên truyền pháp luật", "phát triển báo điện tử"],
    "TCDCPL": ["thông tin, tuyên truyền pháp luật", "biên tập, xuất bản tạp chí"],
    "NXBTP": ["xuất bản", "phát hành xuất bản phẩm"],
    "STP": [
        "hộ tịch, chứng thực",
        "phổ biến, giáo dục pháp luật",
        "hòa giải ở cơ sở",
        "bổ trợ tư pháp",
        "kiểm tra, rà soát văn bản quy phạm pháp luật",
        "theo dõi thi hành pháp luật",
        "quản lý xử lý vi phạm hành chính",
        "bồi thường nhà nước",
        "lý lịch tư pháp",
    ],
    "STP-HN-VP": ["hành chính, tổng hợp"],
    "STP-HN-BTTP": ["bổ trợ tư pháp", "công chứng"],
    "THADS": ["thi hành án dân sự", "tiếp công dân, giải quyết khiếu nại về thi hành án"],
}

# (law, the year it took effect): "Tổng kết 10 năm thi hành Luật Hộ tịch" in 2026.
LAWS: dict[str, list[tuple[str, int]]] = {
    "HTQTCT": [("Luật Hộ tịch", 2016), ("Luật Quốc tịch Việt Nam", 2009)],
    "CCN": [("Luật Nuôi con nuôi", 2011)],
    "BTTP": [("Luật Luật sư", 2007), ("Luật Đấu giá tài sản", 2017), ("Luật Giám định tư pháp", 2013)],
    "TGPL": [("Luật Trợ giúp pháp lý", 2018)],
    "PBGDPL": [("Luật Phổ biến, giáo dục pháp luật", 2013), ("Luật Hòa giải ở cơ sở", 2014)],
    "PLHSHC": [("Luật Xử lý vi phạm hành chính", 2013), ("Luật Trách nhiệm bồi thường của Nhà nước", 2018)],
    "PLDSKT": [("Bộ luật Dân sự", 2017)],
    "XDPL": [("Luật Ban hành văn bản quy phạm pháp luật", 2016)],
    "KTVB": [("Luật Ban hành văn bản quy phạm pháp luật", 2016)],
    "QLTHA": [("Luật Thi hành án dân sự", 2009)],
    "TDKT": [("Luật Thi đua, khen thưởng", 2024)],
    "HTQT": [("Luật Tương trợ tư pháp", 2008), ("Luật Điều ước quốc tế", 2016)],
    "TTR": [("Luật Tiếp công dân", 2015), ("Luật Phòng, chống tham nhũng", 2019)],
    "VP": [("Luật Tiếp cận thông tin", 2018)],
    "STP": [
        ("Luật Hộ tịch", 2016),
        ("Luật Hòa giải ở cơ sở", 2014),
        ("Luật Trợ giúp pháp lý", 2018),
        ("Luật Lý lịch tư pháp", 2010),
    ],
    "THADS": [("Luật Thi hành án dân sự", 2009)],
}

PROVINCES = {
    "HN": "thành phố Hà Nội",
    "HCM": "Thành phố Hồ Chí Minh",
    "HP": "thành phố Hải Phòng",
    "DN": "thành phố Đà Nẵng",
    "CT": "thành phố Cần Thơ",
    "NA": "tỉnh Nghệ An",
    "TH": "tỉnh Thanh Hóa",
    "DT": "tỉnh Đồng Tháp",
    "QN": "tỉnh Quảng Ninh",
    "LD": "tỉnh Lâm Đồng",
}

# Document symbols (ký hiệu) by the kind of output, for "Báo cáo số 125/BC-STP ngày 12/06/2026".
OUTPUT_SYMBOLS = {
    "Kế hoạch": ("Kế hoạch", "KH"),
    "Quyết định của Bộ trưởng": ("Quyết định", "QĐ"),
    "Quyết định khen thưởng": ("Quyết định", "QĐ"),
    "Quyết định": ("Quyết định", "QĐ"),
    "Tờ trình": ("Tờ trình", "TTr"),
    "Hội nghị": ("Thông báo kết luận hội nghị", "TB"),
    "Chỉ thị": ("Chỉ thị", "CT"),
    "Kết luận thanh tra": ("Kết luận thanh tra", "KL"),
}

SUBTASKS = [
    ("Xây dựng đề cương, kế hoạch thực hiện", "Kế hoạch"),
    ("Tổ chức khảo sát, lấy ý kiến các cơ quan, đơn vị liên quan", "Báo cáo"),
    ("Hoàn thiện dự thảo, trình Lãnh đạo xem xét, ban hành", "Tờ trình"),
]

PROGRESS_NOTES = [
    "Đã xây dựng đề cương chi tiết và phân công cán bộ thực hiện.",
    "Đã gửi công văn xin ý kiến các đơn vị liên quan; đang chờ tổng hợp.",
    "Đã tổng hợp, tiếp thu ý kiến góp ý; đang hoàn thiện dự thảo.",
    "Đã trình Lãnh đạo xem xét dự thảo lần cuối.",
]
DONE_NOTE = "Đã hoàn thành nhiệm vụ, văn bản đã được ký ban hành."

ADJUSTMENT_REASONS = [
    "Chờ ý kiến góp ý của các sở, ngành liên quan nên chưa đủ cơ sở hoàn thiện dự thảo.",
    "Nhiệm vụ phát sinh thêm nội dung theo chỉ đạo của Lãnh đạo, cần thêm thời gian khảo sát.",
    "Văn bản của cơ quan cấp trên hướng dẫn nội dung này chưa được ban hành.",
    "Đơn vị tập trung thực hiện các nhiệm vụ đột xuất được giao trong quý.",
]


# --- Specs -------------------------------------------------------------------------------------


@dataclass
class TaskSpec:
    code: str
    content: str
    lead: Unit
    output: str
    source: str
    kind: str
    due: date | None
    priority: str = Priority.NORMAL
    completed_on: date | None = None
    output_document: str = ""
    progress: int = 0
    cooperating: list[Unit] = field(default_factory=list)
    assignees: list[Person] = field(default_factory=list)
    parent: str | None = None  # code of the parent task
    pending_adjustment: bool = False  # its lead unit asks for a new deadline (see _build_history)


@dataclass
class _Context:
    """What the generator reads from the database, once."""

    year: int
    today: date
    units: dict[str, Unit]
    people: dict[int, list[Person]]  # unit id → people in pk order (the head first)
    users: dict[int, list]  # unit id → users of the unit's people, demo staff first
    office_user: Any


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _between(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max((high - low).days, 0)))


def _family(unit: Unit) -> str:
    """The catalogue a unit draws from: its own code, or STP / THADS for provincial units."""
    if unit.code in FIELDS or unit.code in SPECIFIC:
        return unit.code
    if unit.kind == UnitKind.PROVINCIAL_JUSTICE:
        return "STP"
    if unit.kind == UnitKind.ENFORCEMENT_OFFICE:
        return "THADS"
    return unit.code


def _province(unit: Unit) -> str:
    suffix = unit.code.split("-", 1)[-1]
    return PROVINCES.get(
        suffix, unit.name.removeprefix("Sở Tư pháp ").removeprefix("Cục Thi hành án dân sự ")
    )


def _is_ministry_level(unit: Unit) -> bool:
    return unit.depth == 1 and unit.kind not in (UnitKind.PROVINCIAL_JUSTICE, UnitKind.ENFORCEMENT_OFFICE)


def _deck(
    unit: Unit, ctx: _Context, rng: random.Random, programme: bool
) -> list[tuple[Template, dict[str, Any]]]:
    """Every (template, fields) a unit's tasks can be written from, shuffled; the ministry's
    programme leaves out a unit's housekeeping (its budget, its own emulation)."""
    family = _family(unit)
    fields = FIELDS.get(family, ["chuyên môn"])
    base = {
        "Y": ctx.year,
        "Y1": ctx.year + 1,
        "Y_1": ctx.year - 1,
        "unit": unit.name,
        "province": _province(unit),
    }
    base["places"], base["audience"] = _places_and_audience(unit, ctx)
    deck = [(template, {**base, "field": f}) for template in PER_FIELD for f in fields]
    deck += [
        (template, base)
        for template in (SPECIFIC.get(family, []) if programme else PER_UNIT + SPECIFIC.get(family, []))
    ]
    law_templates = PER_LAW + (PER_LAW_MINISTRY if _is_ministry_level(unit) else [])
    if unit.kind == UnitKind.PROVINCIAL_JUSTICE:
        law_templates = law_templates + PER_LAW_PROVINCE
    for law, effective in LAWS.get(family, []):
        for template in law_templates:
            years = ctx.year - effective
            if "{n}" in template.text and years < 3:
                continue
            deck.append((template, {**base, "law": law, "n": years}))
    rng.shuffle(deck)
    return deck


def _places_and_audience(unit: Unit, ctx: _Context) -> tuple[str, str]:
    if unit.kind == UnitKind.PROVINCIAL_JUSTICE or (unit.kind == UnitKind.DIVISION and "/STP-" in unit.path):
        return "Ủy ban nhân dân một số xã, phường trên địa bàn", "công chức Tư pháp – Hộ tịch cấp xã"
    if unit.kind == UnitKind.ENFORCEMENT_OFFICE:
        return "một số Phòng Thi hành án dân sự khu vực", "chấp hành viên, thẩm tra viên"
    provinces = sorted(u.name for u in ctx.units.values() if u.kind == UnitKind.PROVINCIAL_JUSTICE)
    if len(provinces) >= 2:
        index = zlib.crc32(unit.code.encode())  # stable across databases, unlike the primary key
        first, second = provinces[index % len(provinces)], provinces[(index + 3) % len(provinces)]
        places = f"{first} và {second}" if first != second else first
    else:
        places = "một số địa phương"
    return places, "công chức các Sở Tư pháp"


def _status(rng: random.Random, year: int, today: date) -> tuple[str, tuple[date, date] | None]:
    """A status drawn from STATUS_MIX, with the window its deadline must fall in (None: no deadline).

    A status impossible in the year as seen from today (nothing can be overdue in a year not
    begun yet) gives way to the next possible one.
    """
    wanted = rng.choices([s for s, _w in STATUS_MIX], weights=[w for _s, w in STATUS_MIX])[0]
    start, end = date(year, 1, 1), date(year, 12, 31)
    windows = {
        TaskStatus.COMPLETED_ON_TIME: (start, min(end, today + timedelta(days=30)))
        if today >= start
        else None,
        TaskStatus.COMPLETED_LATE: (start, min(end, today - timedelta(days=1))),
        TaskStatus.OVERDUE: (start, min(end, today - timedelta(days=1))),
        TaskStatus.IN_PROGRESS: (max(start, today), end),
    }
    order = [wanted, TaskStatus.IN_PROGRESS, TaskStatus.OVERDUE, TaskStatus.COMPLETED_ON_TIME]
    for status in order:
        if status == TaskStatus.NO_DEADLINE:
            return status, None
        window = windows[status]
        if window and window[0] <= window[1]:
            return status, window
    return TaskStatus.NO_DEADLINE, None


def _fits(template: Template, window: tuple[date, date], year: int) -> tuple[date, date] | None:
    if template.months is None:
        return window
    low = max(window[0], date(year, template.months[0], 1))
    high = min(window[1], _month_end(year, template.months[1]))
    return (low, high) if low <= high else None


def _deadline(rng: random.Random, window: tuple[date, date], forced: str | None) -> tuple[str, date]:
    day = _between(rng, *window)
    kind = (
        forced
        or rng.choices([DeadlineKind.DATE, DeadlineKind.MONTH, DeadlineKind.QUARTER], weights=[60, 27, 13])[0]
    )
    if kind == DeadlineKind.DATE:
        candidates = [
            d
            for d in (day, day.replace(day=15), _month_end(day.year, day.month))
            if window[0] <= d <= window[1]
        ]
        return kind, rng.choice(candidates)
    due = effective_due_date(kind, day)
    if not window[0] <= due <= window[1]:
        return DeadlineKind.DATE, day
    return kind, due


def _symbol(unit: Unit) -> str:
    if unit.kind == UnitKind.PROVINCIAL_JUSTICE:
        return "STP"
    if unit.kind == UnitKind.ENFORCEMENT_OFFICE:
        return "CTHADS"
    return unit.code.split("-")[0] if unit.code != MINISTRY else MINISTRY


def _output_document(rng: random.Random, output: str, unit: Unit, day: date, year: int) -> str:
    symbol = _symbol(unit)
    number = rng.randint(12, 2400)
    when = day.strftime("%d/%m/%Y")
    if output == "Thông tư":
        return f"Thông tư số {rng.randint(1, 30):02d}/{year}/TT-BTP ngày {when}"
    if output == "Nghị định":
        return f"Nghị định số {rng.randint(10, 320)}/{year}/NĐ-CP ngày {when}"
    if output == "Quyết định của Bộ trưởng":
        return f"Quyết định số {number}/QĐ-BTP ngày {when}"
    if output == "Công văn":
        issuer = f"BTP-{symbol}" if _is_ministry_level(unit) else symbol
        return f"Công văn số {number}/{issuer} ngày {when}"
    name, code = OUTPUT_SYMBOLS.get(output, ("Báo cáo", "BC"))
    return f"{name} số {number}/{code}-{symbol} ngày {when}"


# --- Generating a plan's tasks -------------------------------------------------------------------


class _PlanWriter:
    """Draws the tasks of one plan: contents from the lead units' decks, dates from the status mix."""

    def __init__(self, ctx: _Context, plan_unit: Unit, leads: list[Unit], cooperators: list[Unit]):
        self.ctx = ctx
        self.rng = random.Random(f"{SEED}-{ctx.year}-{plan_unit.code}")
        self.plan_unit = plan_unit
        self.leads = leads
        self.cooperators = cooperators
        self.programme = plan_unit.code == MINISTRY
        self.decks = {unit.code: _deck(unit, ctx, self.rng, self.programme) for unit in leads}
        self.specs: list[TaskSpec] = []
        self.used: set[str] = set()

    def write(self, count: int) -> list[TaskSpec]:
        for _number in range(count):
            spec = self._task(f"NV{len(self.specs) + 1:03d}")
            if spec is not None:
                self.specs.append(spec)
        for spec in [s for s in self.specs if s.due is not None]:
            if self.rng.random() < SUBTASK_SHARE:
                self.specs.extend(self._subtasks(spec))
        return self.specs

    def _task(self, code: str) -> TaskSpec | None:
        rng, ctx = self.rng, self.ctx
        for _attempt in range(50):  # a plan never lists the same task twice
            lead = (
                rng.choice(self.leads)
                if self.programme
                else (self.leads[0] if rng.random() < 0.7 else rng.choice(self.leads))
            )
            status, window = _status(rng, ctx.year, ctx.today)
            template, values, window = self._draw(lead, window)
            kind, due = (DeadlineKind.NONE, None) if window is None else _deadline(rng, window, template.kind)
            content = nfc(
                template.text.format(**values, quarter=ROMAN[((due or ctx.today).month - 1) // 3 + 1])
            )
            if content not in self.used:
                break
        else:
            return None  # the unit's deck is spent: a shorter plan rather than a repeated task
        self.used.add(content)
        spec = TaskSpec(
            code=code,
            content=content,
            lead=lead,
            output=template.output,
            source=self._source(template),
            kind=kind,
            due=due,
            priority=rng.choices([Priority.NORMAL, Priority.HIGH, Priority.URGENT], weights=[75, 20, 5])[0],
        )
        self._complete_or_progress(spec, status)
        others = [u for u in self.cooperators if u.pk != lead.pk]
        if others and rng.random() < 0.4:
            spec.cooperating = rng.sample(others, k=min(len(others), rng.choice([1, 1, 2])))
        staff = self.ctx.people.get(lead.pk, [])[1:]  # everyone but the head
        if staff and rng.random() < 0.85:
            spec.assignees = rng.sample(staff, k=min(len(staff), rng.choice([1, 1, 2])))
        return spec

    def _draw(self, lead: Unit, window):
        """The next template of the lead unit's deck whose usual months fit the window."""
        deck = self.decks[lead.code]
        if not deck:
            self.decks[lead.code] = deck = _deck(lead, self.ctx, self.rng, self.programme)
        for index, (template, values) in enumerate(deck):
            if window is None:  # no deadline: work that is not tied to a month or a quarter
                if template.months is None and template.kind is None:
                    del deck[index]
                    return template, values, None
                continue
            fitted = _fits(template, window, self.ctx.year)
            if fitted is not None:
                del deck[index]
                return template, values, fitted
        template, values = deck.pop()
        return Template(template.text, template.output, None, None, template.sources), values, window

    def _source(self, template: Template) -> str:
        rng = self.rng
        if template.sources and rng.random() < 0.7:
            return rng.choice(template.sources)
        if self.programme:
            return rng.choices([GOV, MIN, TaskSource.OWN_PLAN], weights=[35, 45, 20])[0]
        return rng.choices([GOV, MIN, TaskSource.OWN_PLAN, TaskSource.PETITION], weights=[5, 25, 68, 2])[0]

    def _complete_or_progress(self, spec: TaskSpec, status: str) -> None:
        rng, today, start = self.rng, self.ctx.today, date(self.ctx.year, 1, 1)
        if status == TaskStatus.COMPLETED_ON_TIME:
            high = min(spec.due, today)
            spec.completed_on = _between(rng, min(max(start, spec.due - timedelta(days=45)), high), high)
        elif status == TaskStatus.COMPLETED_LATE:
            spec.completed_on = _between(
                rng, spec.due + timedelta(days=1), min(spec.due + timedelta(days=60), today)
            )
        elif status == TaskStatus.NO_DEADLINE and today > start and rng.random() < 0.4:
            spec.completed_on = _between(rng, start, today)
        if spec.completed_on is not None:
            spec.progress = 100
            spec.output_document = _output_document(
                rng, spec.output, spec.lead, spec.completed_on, self.ctx.year
            )
        elif status == TaskStatus.OVERDUE:
            spec.progress = rng.choice([20, 30, 40, 50, 60, 70, 80, 90])
        else:
            spec.progress = rng.choice([0, 0, 10, 20, 30, 40, 50, 60, 70, 80])

    def _subtasks(self, parent: TaskSpec) -> list[TaskSpec]:
        rng, today, start = self.rng, self.ctx.today, date(self.ctx.year, 1, 1)
        steps = SUBTASKS[: rng.choice([2, 3])]
        gap = rng.randint(10, 25)
        subtasks = []
        for position, (text, output) in enumerate(steps, start=1):
            due = max(start, parent.due - timedelta(days=gap * (len(steps) - position)))
            spec = TaskSpec(
                code=f"{parent.code}.{position}",
                content=nfc(f"{text}: {parent.content[0].lower()}{parent.content[1:]}"),
                lead=parent.lead,
                output=output,
                source=parent.source,
                kind=DeadlineKind.DATE,
                due=due,
                priority=parent.priority,
                assignees=parent.assignees[:1],
                parent=parent.code,
            )
            if parent.completed_on is not None:
                spec.completed_on = max(
                    start, parent.completed_on - timedelta(days=rng.randint(2, 8) * (len(steps) - position))
                )
            elif due < today and rng.random() < 0.75:
                spec.completed_on = max(start, min(today, due + timedelta(days=rng.randint(-6, 4))))
            if spec.completed_on is not None:
                spec.progress = 100
                spec.output_document = _output_document(
                    rng, output, parent.lead, spec.completed_on, self.ctx.year
                )
            else:
                spec.progress = rng.choice([0, 20, 40, 60])
            subtasks.append(spec)
        return subtasks


def _showcase(ctx: _Context, start_number: int) -> list[TaskSpec]:
    """Tasks of STP-HN assigned to the demo staff login, placed around today: due in 7 days
    (today's reminder), due soon, overdue since yesterday, overdue with an adjustment asked for,
    completed on time and late."""
    home = ctx.units.get("STP-HN")
    staff = (
        [p for p in ctx.people.get(home.pk, []) if p.user_id and p.user.username == DEMO_STAFF_LOGIN]
        if home
        else []
    )
    if not staff or not date(ctx.year, 1, 1) <= ctx.today <= date(ctx.year, 12, 31):
        return []
    today, person = ctx.today, staff[0]
    # (content, output, due in days, completed in days, progress %)
    # fmt: off
    rows = [
        ("Tổng kết {n} năm thi hành Luật Hộ tịch trên địa bàn thành phố Hà Nội", "Báo cáo tổng kết", 7, None, 60),
        ("Báo cáo tình hình đăng ký khai sinh, khai tử trực tuyến trên địa bàn thành phố", "Báo cáo", 3, None, 40),
        ("Tổ chức hội nghị tập huấn nghiệp vụ chứng thực cho công chức Tư pháp – Hộ tịch cấp xã", "Hội nghị", 12, None, 20),
        ("Rà soát thủ tục hành chính lĩnh vực lý lịch tư pháp, đề xuất phương án đơn giản hóa", "Báo cáo", -1, None, 80),
        ("Kiểm tra công tác hộ tịch tại Ủy ban nhân dân một số phường trên địa bàn thành phố", "Báo cáo kết quả kiểm tra", -10, None, 70),
        ("Xây dựng Kế hoạch theo dõi thi hành pháp luật về xử lý vi phạm hành chính năm {Y}", "Kế hoạch", -40, -43, 100),
        ("Báo cáo công tác bồi thường nhà nước 9 tháng đầu năm {Y}", "Báo cáo", -60, -52, 100),
    ]
    # fmt: on
    specs = []
    for offset, (text, output, due_in, completed_in, progress) in enumerate(rows):
        due = today + timedelta(days=due_in)
        completed = today + timedelta(days=completed_in) if completed_in is not None else None
        spec = TaskSpec(
            code=f"NV{start_number + offset:03d}",
            content=nfc(text.format(Y=ctx.year, n=ctx.year - 2016)),
            lead=home,
            output=output,
            source=TaskSource.OWN_PLAN,
            kind=DeadlineKind.DATE,
            due=due,
            priority=Priority.HIGH if due_in < 0 else Priority.NORMAL,
            completed_on=completed,
            progress=progress,
            assignees=[person],
            pending_adjustment=due_in == -10,
        )
        if completed is not None:
            spec.output_document = _output_document(
                random.Random(spec.code), output, home, completed, ctx.year
            )
        specs.append(spec)
    return specs


# --- Building ----------------------------------------------------------------------------------


@dataclass
class _Counts:
    created: int = 0
    total: int = 0

    def __str__(self) -> str:
        return f"{self.total} — mới (new) {self.created}"


def build_office_demo(
    *, year: int, units: dict[str, Unit], today: date | None = None, stdout=None
) -> dict[str, int]:
    """Create what is missing of the work-plan demo for `year`; returns the counts created."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ctx = _context(year, today, units)
        PlanYear.objects.get_or_create(
            year=year,
            defaults={
                "plan_issue_deadline": date(year, 1, 31),
                "report_period_start": date(year - 1, 12, 15),
                "report_period_end": date(year, 12, 14),
            },
        )
        plans, plan_counts = _build_plans(ctx)
        # A plan gets its tasks once, when it has none: the dates depend on the day of the run,
        # so a later run would draw other sub-tasks; keying on the plan keeps re-runs inert.
        filled = set(
            Task.objects.filter(plan__in=list(plans.values())).values_list("plan_id", flat=True).distinct()
        )
        specs = _generate(ctx, plans, skip=filled)
        task_counts, created = _build_tasks(plans, specs)
        extra = _build_history(ctx, created)
        petition_counts = _build_petitions(ctx)
    _say(stdout, f"Kế hoạch công tác năm {year} (work plans): {plan_counts}")
    _say(
        stdout,
        f"Nhiệm vụ (tasks): {task_counts}; báo cáo tiến độ (progress reports) mới {extra['reports']}, "
        f"điều chỉnh thời hạn (deadline adjustments) mới {extra['adjustments']}",
    )
    _say(stdout, f"Kiến nghị cử tri (voters' petitions): {petition_counts}")
    return {
        "plans": plan_counts.created,
        "tasks": task_counts.created,
        "progress_reports": extra["reports"],
        "adjustments": extra["adjustments"],
        "petitions": petition_counts.created,
    }


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _context(year: int, today: date, units: dict[str, Unit]) -> _Context:
    people: dict[int, list[Person]] = defaultdict(list)
    users: dict[int, list] = defaultdict(list)
    unit_ids = [unit.pk for unit in units.values()]
    for person in (
        Person.objects.filter(unit_id__in=unit_ids, is_active=True).select_related("user").order_by("pk")
    ):
        people[person.unit_id].append(person)
        if person.user_id and person.user.is_active:
            users[person.unit_id].append(person.user)
    for unit_id, unit_users in users.items():
        head = people[unit_id][0].user_id
        # Who writes a unit's progress reports: the demo staff login, other staff, the head last.
        unit_users.sort(key=lambda user: (user.username != DEMO_STAFF_LOGIN, user.pk == head))
    office_user = get_user_model().objects.filter(username=OFFICE_LOGIN).first()
    return _Context(year, today, units, dict(people), dict(users), office_user)


def _plan_units(ctx: _Context) -> list[Unit]:
    """Units with a plan of their own: all but divisions, whose tasks sit in their parent's plan."""
    return sorted((u for u in ctx.units.values() if u.kind != UnitKind.DIVISION), key=lambda u: u.path)


def _build_plans(ctx: _Context) -> tuple[dict[int, WorkPlan], _Counts]:
    rng = random.Random(f"{SEED}-{ctx.year}-plans")
    plan_units = _plan_units(ctx)
    # The browser demo needs the demo Sở's plan, the programme and the Office's plan issued.
    always_issued = {MINISTRY, "STP-HN", "VP"}
    others = [u for u in plan_units if u.code not in always_issued]
    rng.shuffle(others)
    states = {unit.code: PlanState.ISSUED for unit in plan_units}
    for unit, state in zip(
        others, [PlanState.RETURNED] + [PlanState.DRAFT] * 3 + [PlanState.SUBMITTED] * 4, strict=False
    ):
        states[unit.code] = state
    existing = {plan.unit_id: plan for plan in WorkPlan.objects.filter(year=ctx.year, unit__in=plan_units)}
    new_plans = []
    for unit in plan_units:
        if unit.pk in existing:
            continue
        state = states[unit.code]
        plan = WorkPlan(unit=unit, year=ctx.year, state=state)
        if unit.code == MINISTRY:
            plan.title = f"Chương trình công tác năm {ctx.year} của Bộ Tư pháp"
        else:
            plan.title = nfc(f"Kế hoạch công tác năm {ctx.year} của {unit.name}")
        if state == PlanState.ISSUED:
            issued = _between(
                rng,
                date(ctx.year - 1, 12, 20),
                date(ctx.year, 1, 31) if rng.random() < 0.8 else date(ctx.year, 2, 28),
            )
            if issued > ctx.today:
                plan.state = (
                    PlanState.SUBMITTED if ctx.today >= date(ctx.year - 1, 12, 1) else PlanState.DRAFT
                )
            else:
                head = (ctx.people.get(unit.pk) or [None])[0]
                symbol = "QĐ-BTP" if unit.code == MINISTRY else f"KH-{_symbol(unit)}"
                plan.issue_number = f"{rng.randint(5, 480)}/{symbol}"
                plan.issued_on = issued
                plan.signer = f"{head.position} {head.full_name}" if head else ""
        elif state == PlanState.RETURNED:
            plan.return_reason = (
                f"Đề nghị bổ sung các nhiệm vụ được giao tại Chương trình công tác năm {ctx.year} của Bộ "
                "và xác định rõ thời hạn, sản phẩm của từng nhiệm vụ."
            )
        new_plans.append(plan)
    WorkPlan.objects.bulk_create(new_plans)
    plans = {**existing, **{plan.unit_id: plan for plan in new_plans}}
    return plans, _Counts(created=len(new_plans), total=len(plans))


def _generate(ctx: _Context, plans: dict[int, WorkPlan], skip: set[int]) -> dict[int, list[TaskSpec]]:
    """The task specs of every plan but those in `skip` (by plan id), the same for the same
    year and day. Each plan draws from its own Random, so skipping one changes no other."""
    ministry_units = [u for u in ctx.units.values() if _is_ministry_level(u)]
    ministry_units.sort(key=lambda u: u.path)
    specs: dict[int, list[TaskSpec]] = {}
    for plan_unit in _plan_units(ctx):
        plan = plans[plan_unit.pk]
        if plan.pk in skip:
            continue
        if plan_unit.code == MINISTRY:
            writer = _PlanWriter(ctx, plan_unit, ministry_units, ministry_units)
            count = PROGRAMME_TASKS
        else:
            subtree = sorted(
                (
                    u
                    for u in ctx.units.values()
                    if u.path.startswith(plan_unit.path) and u.kind == UnitKind.DIVISION
                ),
                key=lambda u: u.path,
            )
            leads = [plan_unit, *subtree]
            writer = _PlanWriter(ctx, plan_unit, leads, _cooperators(ctx, plan_unit, subtree))
            sizes = UNIT_PLAN_TASKS if plan.state == PlanState.ISSUED else UNISSUED_PLAN_TASKS
            count = writer.rng.randint(*sizes)
        plan_specs = writer.write(count)
        if plan_unit.code == "STP-HN":
            plan_specs += _showcase(ctx, start_number=sum(s.parent is None for s in plan_specs) + 1)
        specs[plan.pk] = plan_specs
    return specs


def _cooperators(ctx: _Context, plan_unit: Unit, subtree: list[Unit]) -> list[Unit]:
    """Units a plan's tasks cooperate with: its divisions, the province's other justice office,
    or for the ministry's own units the other ministry-level units."""
    if plan_unit.kind in (UnitKind.PROVINCIAL_JUSTICE, UnitKind.ENFORCEMENT_OFFICE):
        suffix = plan_unit.code.split("-", 1)[-1]
        twin = "THADS-" + suffix if plan_unit.kind == UnitKind.PROVINCIAL_JUSTICE else "STP-" + suffix
        return subtree + ([ctx.units[twin]] if twin in ctx.units else [])
    return subtree + sorted((u for u in ctx.units.values() if _is_ministry_level(u)), key=lambda u: u.path)


def _task_row(plan: WorkPlan, spec: TaskSpec, parent: Task | None) -> Task:
    """A Task as Task.save() would store it (search text, original deadline), for bulk_create."""
    content, output = nfc(spec.content), nfc(spec.output)
    return Task(
        plan=plan,
        parent=parent,
        code=spec.code,
        content=content,
        lead_unit=spec.lead,
        source=spec.source,
        deadline_kind=spec.kind,
        due_date=spec.due,
        original_deadline_kind=spec.kind,
        original_due_date=spec.due,
        output=output,
        priority=spec.priority,
        completed_on=spec.completed_on,
        output_document=spec.output_document,
        progress_percent=spec.progress,
        search_text=fold(f"{spec.code} {content} {output}"),
    )


def _build_tasks(plans: dict[int, WorkPlan], specs: dict[int, list[TaskSpec]]):
    """Bulk-create the tasks of the empty plans: parents first, then sub-tasks, then links."""
    by_pk = {plan.pk: plan for plan in plans.values()}
    saved: dict[tuple[int, str], int] = {}  # (plan id, code) → task id, to link sub-tasks
    created: list[tuple[Task, TaskSpec]] = []
    for level in ("top", "sub"):
        rows = []
        for plan_id, plan_specs in specs.items():
            for spec in plan_specs:
                if (spec.parent is None) != (level == "top"):
                    continue
                parent = Task(pk=saved[(plan_id, spec.parent)]) if spec.parent else None
                rows.append((_task_row(by_pk[plan_id], spec, parent), spec))
        Task.objects.bulk_create([task for task, _spec in rows], batch_size=500)
        for task, spec in rows:
            saved[(task.plan_id, spec.code)] = task.pk
        created += rows
    Cooperating = Task.cooperating_units.through
    Assigned = Task.assignees.through
    Cooperating.objects.bulk_create(
        [
            Cooperating(task_id=task.pk, unit_id=unit.pk)
            for task, spec in created
            for unit in spec.cooperating
        ],
        batch_size=1000,
    )
    Assigned.objects.bulk_create(
        [
            Assigned(task_id=task.pk, person_id=person.pk)
            for task, spec in created
            for person in spec.assignees
        ],
        batch_size=1000,
    )
    total = Task.objects.filter(plan__in=list(by_pk)).count()
    return _Counts(created=len(created), total=total), created


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _build_history(ctx: _Context, created: list[tuple[Task, TaskSpec]]) -> dict[str, int]:
    """Progress reports and deadline adjustments of the newly created tasks, written by the
    units' own logins (units without one have no such history in the demo)."""
    rng = random.Random(f"{SEED}-{ctx.year}-history")
    today, start = ctx.today, date(ctx.year, 1, 1)
    reports, report_moments = [], []
    adjustments, adjustment_moments = [], []
    pending_elsewhere = approved = 0
    for task, spec in created:
        authors = ctx.users.get(spec.lead.pk)
        if not authors or spec.parent:
            continue
        author = authors[0]
        end = spec.completed_on or today
        if spec.progress > 0 and end >= start:
            steps = sorted({p for p in (30, 60) if p < spec.progress} | {spec.progress})
            days = sorted(_between(rng, max(start, end - timedelta(days=90)), end) for _ in steps)
            for index, (percent, day) in enumerate(zip(steps, days, strict=True)):
                note = DONE_NOTE if percent == 100 else PROGRESS_NOTES[min(index, len(PROGRESS_NOTES) - 1)]
                reports.append(ProgressReport(task=task, author=author, note=note, percent=percent))
                report_moments.append(_aware(day, 9 + index))
        overdue = spec.completed_on is None and spec.due is not None and spec.due < today
        wanted = spec.pending_adjustment or (
            overdue and spec.assignees and spec.lead.code != "STP-HN" and pending_elsewhere < 1
        )
        decider = _decider(ctx, spec.lead, author)
        if wanted and overdue:
            # Requests still waiting for the unit's leader (or the Office) to decide.
            pending_elsewhere += spec.lead.code != "STP-HN"
            adjustments.append(
                DeadlineAdjustment(
                    task=task,
                    requested_by=author,
                    old_deadline_kind=spec.kind,
                    old_due_date=spec.due,
                    new_deadline_kind=DeadlineKind.DATE,
                    new_due_date=today + timedelta(days=rng.choice([21, 30, 45])),
                    reason=rng.choice(ADJUSTMENT_REASONS),
                )
            )
            adjustment_moments.append(_aware(today - timedelta(days=rng.randint(0, 2)), 10))
        elif spec.due is not None and decider and approved < 8 and rng.random() < 0.12:
            # Approved earlier in the year: the task keeps its first deadline for statistics.
            old_due = spec.due - timedelta(days=rng.choice([30, 45, 60]))
            asked = old_due - timedelta(days=rng.randint(5, 20))
            if asked < start or asked + timedelta(days=3) > today:
                continue
            adjustments.append(
                DeadlineAdjustment(
                    task=task,
                    requested_by=author,
                    old_deadline_kind=DeadlineKind.DATE,
                    old_due_date=old_due,
                    new_deadline_kind=spec.kind,
                    new_due_date=spec.due,
                    reason=rng.choice(ADJUSTMENT_REASONS),
                    state=AdjustmentState.APPROVED,
                    decided_by=decider,
                    decided_at=_aware(asked + timedelta(days=3), 15),
                    decision_note="Đồng ý điều chỉnh thời hạn.",
                )
            )
            adjustment_moments.append(_aware(asked, 10))
            task.original_deadline_kind, task.original_due_date = DeadlineKind.DATE, old_due
            approved += 1
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    for report, moment in zip(reports, report_moments, strict=True):
        report.created_at = moment  # auto_now_add stamped "now"; the demo spreads them over the year
    ProgressReport.objects.bulk_update(reports, ["created_at"], batch_size=500)
    DeadlineAdjustment.objects.bulk_create(adjustments)
    for adjustment, moment in zip(adjustments, adjustment_moments, strict=True):
        adjustment.requested_at = moment
    DeadlineAdjustment.objects.bulk_update(adjustments, ["requested_at"])
    adjusted = [a.task for a in adjustments if a.state == AdjustmentState.APPROVED]
    Task.objects.bulk_update(adjusted, ["original_deadline_kind", "original_due_date"])
    return {"reports": len(reports), "adjustments": len(adjustments)}


def _decider(ctx: _Context, unit: Unit, author):
    """Who decides a unit's adjustment: its head when the head has a login, else the Office."""
    head = (ctx.people.get(unit.pk) or [None])[0]
    if head is not None and head.user_id and head.user_id != author.pk and head.user.is_active:
        return head.user
    return ctx.office_user


# --- Voters' petitions -------------------------------------------------------------------------

# (content, lead unit code, constituency)
PETITIONS = [
    (
        "Đề nghị rút ngắn thời hạn cấp Phiếu lý lịch tư pháp và mở rộng việc cấp qua dịch vụ công trực tuyến",
        "HTQTCT",
        "tỉnh Nghệ An",
    ),
    (
        "Đề nghị có giải pháp khắc phục tình trạng tồn đọng án dân sự có điều kiện thi hành kéo dài",
        "QLTHA",
        "thành phố Hải Phòng",
    ),
    (
        "Đề nghị quy định rõ trách nhiệm của công chứng viên khi công chứng hợp đồng chuyển nhượng quyền sử dụng đất",
        "BTTP",
        "Thành phố Hồ Chí Minh",
    ),
    (
        "Đề nghị tăng cường trợ giúp pháp lý cho người dân tộc thiểu số ở vùng đặc biệt khó khăn",
        "TGPL",
        "tỉnh Lâm Đồng",
    ),
    ("Đề nghị đơn giản hóa thủ tục đăng ký kết hôn có yếu tố nước ngoài", "HTQTCT", "thành phố Cần Thơ"),
    ("Đề nghị hướng dẫn thống nhất việc chứng thực bản sao điện tử từ bản chính", "HTQTCT", "tỉnh Thanh Hóa"),
    (
        "Đề nghị sửa đổi mức phạt vi phạm hành chính trong một số lĩnh vực cho phù hợp với thực tiễn",
        "PLHSHC",
        "tỉnh Quảng Ninh",
    ),
    ("Đề nghị có cơ chế hỗ trợ kinh phí cho hoạt động của tổ hòa giải ở cơ sở", "PBGDPL", "tỉnh Đồng Tháp"),
    (
        "Đề nghị rút ngắn thời gian đăng ký biện pháp bảo đảm bằng quyền sử dụng đất",
        "DKGDBD",
        "thành phố Đà Nẵng",
    ),
    (
        "Đề nghị rà soát, xử lý các văn bản quy phạm pháp luật chồng chéo về quản lý đất đai ở địa phương",
        "KTVB",
        "tỉnh Nghệ An",
    ),
    (
        "Đề nghị hoàn thiện quy định về bồi thường nhà nước để người bị thiệt hại được bồi thường kịp thời",
        "PLHSHC",
        "thành phố Hà Nội",
    ),
    (
        "Đề nghị giải quyết dứt điểm các vụ việc thi hành án liên quan đến tín dụng, ngân hàng",
        "QLTHA",
        "Thành phố Hồ Chí Minh",
    ),
    (
        "Đề nghị tạo điều kiện cho trẻ em có hoàn cảnh đặc biệt được nhận làm con nuôi trong nước",
        "CCN",
        "tỉnh Thanh Hóa",
    ),
    (
        "Đề nghị tăng cường phổ biến pháp luật về phòng, chống lừa đảo qua mạng cho người cao tuổi",
        "PBGDPL",
        "thành phố Hà Nội",
    ),
    ("Đề nghị quy định rõ chi phí tống đạt văn bản của thừa phát lại", "BTTP", "thành phố Hải Phòng"),
    (
        "Đề nghị sửa đổi quy định về thời hiệu khởi kiện tranh chấp thừa kế trong Bộ luật Dân sự",
        "PLDSKT",
        "tỉnh Lâm Đồng",
    ),
    (
        "Đề nghị nâng cao chất lượng thẩm định dự thảo văn bản quy phạm pháp luật của địa phương",
        "XDPL",
        "tỉnh Đồng Tháp",
    ),
    (
        "Đề nghị kết nối dữ liệu hộ tịch điện tử với Cơ sở dữ liệu quốc gia về dân cư",
        "CNTT",
        "thành phố Cần Thơ",
    ),
    ("Đề nghị có chính sách thu hút luật sư về hành nghề tại các tỉnh miền núi", "BTTP", "tỉnh Quảng Ninh"),
    (
        "Đề nghị giảm giấy tờ trong thủ tục cấp Phiếu lý lịch tư pháp cho người đi lao động ở nước ngoài",
        "HTQTCT",
        "tỉnh Nghệ An",
    ),
]
PETITION_CLASSES = (
    [PetitionClass.RESOLVED] * 7
    + [PetitionClass.IN_PROGRESS] * 5
    + [PetitionClass.EXPLAINED] * 5
    + [PetitionClass.UNANSWERED] * 3
)
ANSWERS = {
    PetitionClass.RESOLVED: "Bộ Tư pháp đã tiếp thu kiến nghị của cử tri và ban hành văn bản hướng dẫn, đã gửi các địa phương thực hiện.",
    PetitionClass.IN_PROGRESS: "Bộ Tư pháp đang nghiên cứu, tổng hợp ý kiến để hoàn thiện quy định; dự kiến trình cấp có thẩm quyền theo lộ trình.",
    PetitionClass.EXPLAINED: "Quy định hiện hành đã điều chỉnh nội dung cử tri nêu; Bộ Tư pháp xin giải trình để cử tri được biết.",
}


def _build_petitions(ctx: _Context) -> _Counts:
    rng = random.Random(f"{SEED}-petitions")
    received = ctx.today - timedelta(days=80)
    batch, _new = PetitionBatch.objects.get_or_create(
        body=PetitionBody.NATIONAL_ASSEMBLY,
        session=PETITION_SESSION,
        defaults={
            "received_on": received,
            "answer_days": 60,
            "next_session_on": received + timedelta(days=150),
        },
    )
    existing = set(batch.petitions.values_list("code", flat=True))
    deadline = batch.received_on + timedelta(days=batch.answer_days)
    classes = PETITION_CLASSES[:]
    rng.shuffle(classes)
    rows = []
    for number, ((content, unit_code, constituency), classification) in enumerate(
        zip(PETITIONS, classes, strict=True), start=1
    ):
        code = f"KN{number:02d}"
        unit = ctx.units.get(unit_code)
        if code in existing or unit is None:
            continue
        petition = Petition(
            batch=batch,
            code=code,
            content=nfc(content),
            constituency=f"Cử tri {constituency}",
            received_on=batch.received_on,
            answer_deadline=deadline,
            lead_unit=unit,
            classification=classification,
        )
        if classification != PetitionClass.UNANSWERED:
            # Most answers arrive before the deadline; one in five a little after it.
            latest = min(ctx.today, deadline + timedelta(days=20) if rng.random() < 0.2 else deadline)
            petition.answered_on = _between(rng, min(batch.received_on + timedelta(days=15), latest), latest)
            petition.answer_text = ANSWERS[classification]
        if classification == PetitionClass.IN_PROGRESS:
            petition.roadmap = "Nghiên cứu, đề xuất sửa đổi trong dự án luật sửa đổi, bổ sung trình Quốc hội."
            petition.roadmap_deadline = _month_end(ctx.today.year + 1, 6)
        petition.search_text = fold(f"{petition.code} {petition.content} {petition.constituency}")
        rows.append(petition)
    Petition.objects.bulk_create(rows)
    return _Counts(created=len(rows), total=len(existing) + len(rows))
