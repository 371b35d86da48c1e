"""Evidence files are downloaded through a permission check; and every emulation URL is covered."""

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from emulation.models import Evidence
from tests.factories.emulation import build_scheme, open_scorecard

PDF = b"%PDF-1.4\n%minh chung\n"
CASES = dict(anonymous=302, no_role=404, staff=200, leader=200, officer=200, council=200, admin=200, outsider=404)


@pytest.fixture
def evidence(org, users):
    scorecard = open_scorecard(scheme=build_scheme(lines=2), unit=org.home)
    item = Evidence(line=scorecard.lines.first(), uploaded_by=users.staff, description="Báo cáo")
    item.file.save("bao-cao.pdf", ContentFile(PDF))
    return item


@pytest.mark.parametrize("role", list(CASES))
def test_evidence_download_follows_the_scope(client, users, evidence, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    response = client.get(reverse("emulation:evidence_file", args=[evidence.pk]))
    assert response.status_code == CASES[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF


def test_every_emulation_url_name_is_tested_for_permissions():
    """The per-module matrices cover their own views; this covers the emulation area as a whole."""
    from tests.emulation import (
        test_appraisal,
        test_campaigns,
        test_results,
        test_scheme_views,
        test_scorecards,
    )

    resolver = get_resolver().namespace_dict["emulation"][1]
    names = {f"emulation:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    from pathlib import Path

    modules = (test_appraisal, test_campaigns, test_results, test_scheme_views, test_scorecards)
    source = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in modules)
    source += Path(__file__).read_text(encoding="utf-8")
    assert {name for name in names if f'"{name}"' not in source and f"'{name}'" not in source} == set()
