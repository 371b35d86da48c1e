"""Content-Security-Policy: the header on every page, and no inline code in any template."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An opening <script> tag; a src= or a data-only type (json_script, templates) makes it harmless.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_TYPES = re.compile(r"""type\s*=\s*["']?(application/(ld\+)?json|text/template|text/html)""", re.IGNORECASE)
# on…= event handler attributes (onclick=, onload=…) and javascript: URLs.
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']|javascript:""", re.IGNORECASE)


def browser_templates():
    # templates/documents/ are rendered by WeasyPrint into PDF files, never by a browser.
    return [path for path in TEMPLATES.rglob("*.html") if "documents" not in path.relative_to(TEMPLATES).parts[:1]]


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for path in browser_templates():
        text = path.read_text(encoding="utf-8")
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and not DATA_TYPES.search(attributes):
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script{attributes}>")
        offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0).strip()}" for m in HANDLER.finditer(text)]
    assert offenders == []


def test_scanner_finds_what_it_must():
    assert SCRIPT_TAG.search("<script>alert(1)</script>")
    assert not DATA_TYPES.search(SCRIPT_TAG.search("<script>x</script>").group(1))
    assert DATA_TYPES.search(SCRIPT_TAG.search('<script type="application/json" id="d">{}</script>').group(1))
    assert HANDLER.search('<button onclick="window.print()">')
    assert not HANDLER.search('<button data-print id="printMinutes">')


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "portal:dashboard", "admin:login", "commendations:public_comments"])
def test_pages_carry_the_policy(client, users, page):
    client.force_login(users.staff)
    response = client.get(reverse(page))
    policy = response["Content-Security-Policy"]
    directives = dict(item.strip().split(" ", 1) for item in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_error_and_file_responses_carry_the_policy_too(client, users):
    client.force_login(users.staff)
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]
