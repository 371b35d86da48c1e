"""Who may see and do what with a dossier: every state × every role × own or other unit (the detail
page, each permission and the buttons it shows), every dossier URL × role, and the list's scoping —
a unit never sees another unit's drafts, council members only what was sent to the council.

The expectations are spelled out here from the issue, not read from commendations/rules.py, so a
changed rule fails a test."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commendations.enums import DocumentKind, DossierState, NomineeState
from commendations.models import CouncilMeeting, Dossier
from tests.factories import PersonFactory
from tests.factories.commendations import PDF_BYTES, DossierDocumentFactory, award, ready_dossier

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
STATES = [state.value for state in DossierState]
Y = 2025

# What the standing body (officers, admins) sees: everything but a unit's draft or what awaits its leader.
OFFICER_SEES = {"approved", "appraisal", "returned", "council", "voted", "public_comment", "decided", "rejected"}
# What council members see: what was sent to the council, and what became of it.
COUNCIL_SEES = {"council", "voted", "public_comment", "decided"}
RUNS = {"officer", "admin"}


def works_for(role: str, side: str) -> bool:
    """Staff and leader work for `home` (the own unit); `outsider` is staff of `other`."""
    return (role in ("staff", "leader") and side == "own") or (role == "outsider" and side == "other")


def leads(role: str, side: str) -> bool:
    return role == "leader" and side == "own"


def expected_perms(role: str, side: str, state: str) -> dict[str, bool]:
    works, runs = works_for(role, side), role in RUNS
    return {
        "view_dossier": works or (runs and state in OFFICER_SEES) or (role == "council" and state in COUNCIL_SEES),
        "edit_dossier": works and state in ("draft", "returned"),
        "submit_dossier": works and state in ("draft", "returned"),
        "delete_dossier": works and state == "draft",
        "approve_dossier": leads(role, side) and state == "submitted",
        "send_back_dossier": leads(role, side) and state == "submitted",
        "appraise_dossier": runs and state in ("approved", "appraisal"),
        "return_dossier": runs and state == "appraisal",
        "send_to_council": runs and state == "appraisal",
        "reject_dossier": runs and state in ("appraisal", "voted"),
    }


# The button each permission shows on the detail page (start_appraisal: only from "approved").
BUTTONS = {
    "submitDossier": lambda perms, state: perms["submit_dossier"],
    "addNominee": lambda perms, state: perms["edit_dossier"] and state == "draft",
    "deleteDossier": lambda perms, state: perms["delete_dossier"],
    "approveDossier": lambda perms, state: perms["approve_dossier"],
    "sendBackDossier": lambda perms, state: perms["send_back_dossier"],
    "startAppraisal": lambda perms, state: perms["appraise_dossier"] and state == "approved",
    "refreshEligibility": lambda perms, state: perms["appraise_dossier"] and state == "appraisal",
    "returnDossier": lambda perms, state: perms["return_dossier"],
    "sendToCouncil": lambda perms, state: perms["send_to_council"],
    "rejectDossier": lambda perms, state: perms["reject_dossier"],
}


def login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


def matrix_cases():
    for state in STATES:
        for role in ROLES:
            for side in ("own", "other"):
                yield pytest.param(state, role, side, id=f"{state}-{role}-{side}")


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "role", "side"), list(matrix_cases()))
def test_dossier_state_role_unit_matrix(client, users, org, state, role, side):
    unit = org.home if side == "own" else org.other
    dossier = ready_dossier(unit, year=Y, nominees=[(PersonFactory(unit=unit), "LDTT")], state=state)
    login(client, users, role)

    response = client.get(reverse("commendations:dossier_detail", args=[dossier.pk]))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        return
    perms = expected_perms(role, side, state)
    user = getattr(users, role)
    assert {name: user.has_perm(f"commendations.{name}", dossier) for name in perms} == perms
    assert response.status_code == (200 if perms["view_dossier"] else 404)
    if response.status_code == 200:
        content = response.content.decode()
        shown = {button: f'id="{button}"' in content for button in BUTTONS}
        assert shown == {button: rule(perms, state) for button, rule in BUTTONS.items()}


# --- Every dossier URL × role ---------------------------------------------------------------------

LOGGED_IN = [role for role in ROLES if role != "anonymous"]


def _all(value, **changes):
    return {**dict.fromkeys(LOGGED_IN, value), "anonymous": 302, **changes}


UNIT = {"staff": 200, "leader": 200}
RUN = {"officer": 200, "admin": 200}
# (url name, the object it acts on) → status per role; the objects are `home`'s unless named `other_…`.
GET_MATRIX = {
    ("commendations:dossier_list", None): _all(200),
    ("commendations:dossier_create", None): _all(403, staff=200, leader=200, outsider=200),
    ("commendations:dossier_detail", "draft"): _all(404, **UNIT),
    ("commendations:dossier_detail", "other_draft"): _all(404, outsider=200),
    ("commendations:dossier_detail", "council"): _all(404, **UNIT, **RUN, council=200),
    ("commendations:dossier_edit", "draft"): _all(404, **UNIT),
    ("commendations:dossier_edit", "submitted"): _all(404, staff=403, leader=403),
    ("commendations:dossier_edit", "other_draft"): _all(404, outsider=200),
    ("commendations:dossier_delete", "draft"): _all(404, **UNIT),
    ("commendations:dossier_delete", "appraisal"): _all(404, staff=403, leader=403, officer=403, admin=403),
    ("commendations:nominee_add", "draft"): _all(404, **UNIT),
    ("commendations:nominee_edit", "draft_nominee"): _all(404, **UNIT),
    ("commendations:nominee_remove", "draft_nominee"): _all(404, **UNIT),
    ("commendations:nominee_appraise", "appraisal_nominee"): _all(404, staff=403, leader=403, **RUN),
    ("commendations:document_upload", "draft"): _all(404, **UNIT),
    ("commendations:document_download", "council_document"): _all(404, **UNIT, **RUN, council=200),
    ("commendations:document_download", "other_document"): _all(404, outsider=200, council=200, **RUN),
    ("commendations:document_delete", "draft_document"): _all(404, **UNIT),
    ("commendations:dossier_transition", "submit"): _all(404, **UNIT),
    ("commendations:dossier_transition", "approve"): _all(404, staff=403, leader=200),
    ("commendations:dossier_transition", "send_back"): _all(404, staff=403, leader=200),
    ("commendations:dossier_transition", "start_appraisal"): _all(404, staff=403, leader=403, **RUN),
    ("commendations:dossier_transition", "send_to_council"): _all(404, staff=403, leader=403, **RUN),
    ("commendations:dossier_transition", "reject"): _all(404, staff=403, leader=403, council=403, **RUN),
    ("commendations:dossier_return", "appraisal"): _all(404, staff=403, leader=403, **RUN),
    # POST only (see the POST matrix)
    ("commendations:dossier_refresh_eligibility", "appraisal"): _all(405),
}
# The URL names this matrix covers (tests/commendations/test_views.py checks every area URL is in one).
COVERED_URLS = {name for name, _kind in GET_MATRIX}
TRANSITION_STATES = {"submit": "draft", "approve": "submitted", "send_back": "submitted",
                     "start_appraisal": "approved", "send_to_council": "appraisal", "reject": "voted"}


@pytest.fixture
def objects(org):
    def dossier(unit, state):
        return ready_dossier(unit, year=Y, nominees=[(PersonFactory(unit=unit), "LDTT")], state=state)

    made = {state: dossier(org.home, state) for state in ("draft", "submitted", "approved", "appraisal", "voted",
                                                          "council")}
    made["other_draft"] = dossier(org.other, "draft")
    made["other_council"] = dossier(org.other, "council")
    return made


def url_for(name: str, kind: str | None, objects) -> str:
    if kind is None:
        return reverse(name)
    if name == "commendations:dossier_transition":
        return reverse(name, args=[objects[TRANSITION_STATES[kind]].pk, kind])
    if kind.endswith("_nominee"):
        dossier = objects[kind.removesuffix("_nominee")]
        return reverse(name, args=[dossier.pk, dossier.nominees.first().pk])
    if kind.endswith("_document"):
        dossier = objects[{"council": "council", "other": "other_council", "draft": "draft"}[kind.removesuffix(
            "_document")]]
        return reverse(name, args=[dossier.pk, dossier.documents.first().pk])
    return reverse(name, args=[objects[kind].pk])


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name.split(':')[1]}-{kind}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind", "role", "expected"), list(get_cases()))
def test_dossier_url_role_matrix(client, users, objects, name, kind, role, expected):
    login(client, users, role)

    response = client.get(url_for(name, kind, objects))

    assert response.status_code == expected
    if role == "anonymous":
        assert response.url.startswith(reverse("login"))
    if expected == 200 and name == "commendations:document_download":
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_every_dossier_url_is_in_the_matrix():
    from commendations.views.dossiers import urlpatterns

    ours = {f"commendations:{pattern.name}" for pattern in urlpatterns}
    assert ours - {name for name, _kind in GET_MATRIX} == set()


# --- POST: only the allowed roles change anything ------------------------------------------------------

PDF_UPLOAD = ("to-trinh.pdf", PDF_BYTES)


def post_case(case: str, objects, meeting):
    """(the dossier, the url, the data, a check that the action happened)."""
    def transition(action, state, **data):
        dossier = objects[state]
        url = reverse("commendations:dossier_transition", args=[dossier.pk, action])
        return dossier, url, {"version": dossier.version, **data}

    if case == "submit":
        dossier, url, data = transition("submit", "draft")
        return dossier, url, data, lambda d: d.state == DossierState.SUBMITTED
    if case == "approve":
        dossier, url, data = transition("approve", "submitted")
        return dossier, url, data, lambda d: d.state == DossierState.APPROVED
    if case == "start_appraisal":
        dossier, url, data = transition("start_appraisal", "approved")
        return dossier, url, data, lambda d: d.state == DossierState.APPRAISAL
    if case == "send_to_council":
        objects["appraisal"].nominees.update(state=NomineeState.ACCEPTED)
        dossier, url, data = transition("send_to_council", "appraisal", meeting=meeting.pk)
        return dossier, url, data, lambda d: d.state == DossierState.COUNCIL
    if case == "reject":
        dossier, url, data = transition("reject", "voted", reason="Không đủ phiếu")
        return dossier, url, data, lambda d: d.state == DossierState.REJECTED
    if case == "return":
        dossier = objects["appraisal"]
        nominee = dossier.nominees.first()
        data = {"version": dossier.version, f"return_{nominee.pk}": "on", f"reason_{nominee.pk}": "Bổ sung"}
        return (dossier, reverse("commendations:dossier_return", args=[dossier.pk]), data,
                lambda d: d.state == DossierState.RETURNED)
    if case == "appraise":
        dossier = objects["appraisal"]
        nominee = dossier.nominees.first()
        return (dossier, reverse("commendations:nominee_appraise", args=[dossier.pk, nominee.pk]),
                {"version": dossier.version, "decision": "exclude", "note": "Không đủ"},
                lambda d: d.nominees.get(pk=nominee.pk).state == NomineeState.EXCLUDED)
    if case == "nominee_add":
        dossier = objects["draft"]
        return (dossier, reverse("commendations:nominee_add", args=[dossier.pk]),
                {"version": dossier.version, "subject": "collective", "collective": dossier.unit.pk,
                 "award": award("TTLDTT").pk},
                lambda d: d.nominees.count() == 2)
    if case == "document_upload":
        dossier = objects["draft"]
        return (dossier, reverse("commendations:document_upload", args=[dossier.pk]),
                {"version": dossier.version, "kind": DocumentKind.OTHER, "nominee": "",
                 "file": SimpleUploadedFile(*PDF_UPLOAD)},
                lambda d: d.documents.filter(kind=DocumentKind.OTHER).count() == 1)
    if case == "refresh_eligibility":
        dossier = objects["appraisal"]
        return (dossier, reverse("commendations:dossier_refresh_eligibility", args=[dossier.pk]),
                {"version": dossier.version}, lambda d: d.nominees.first().eligibility is not None)
    if case == "dossier_delete":
        dossier = objects["draft"]
        return (dossier, reverse("commendations:dossier_delete", args=[dossier.pk]), {"version": dossier.version},
                lambda d: not Dossier.objects.filter(pk=d.pk).exists())
    raise AssertionError(case)


POST_MATRIX = {
    "submit": _all(404, staff=302, leader=302),
    "approve": _all(404, staff=403, leader=302),
    "start_appraisal": _all(404, staff=403, leader=403, officer=302, admin=302),
    "send_to_council": _all(404, staff=403, leader=403, officer=302, admin=302),
    "reject": _all(404, staff=403, leader=403, council=403, officer=302, admin=302),
    "return": _all(404, staff=403, leader=403, officer=302, admin=302),
    "appraise": _all(404, staff=403, leader=403, officer=302, admin=302),
    "nominee_add": _all(404, staff=302, leader=302),
    "document_upload": _all(404, staff=302, leader=302),
    "dossier_delete": _all(404, staff=302, leader=302),
    "refresh_eligibility": _all(404, staff=403, leader=403, officer=302, admin=302),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_dossier_post_matrix(client, users, objects, role, case):
    meeting = CouncilMeeting.objects.create(title="Phiên họp thường kỳ", held_on=date(2026, 12, 10))
    dossier, url, data, done = post_case(case, objects, meeting)
    login(client, users, role)

    response = client.post(url, data)

    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    if expected == 302 and role != "anonymous":
        assert not response.url.startswith(reverse("login"))
    happened = (not Dossier.objects.filter(pk=dossier.pk).exists()) if case == "dossier_delete" else done(
        Dossier.objects.get(pk=dossier.pk))
    assert happened is (expected == 302 and role != "anonymous")


# --- The list's scope ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_never_shows_another_units_drafts(client, users, org):
    own = {state: ready_dossier(org.home, year=Y, state=state, title=f"Nhà {state}") for state in STATES}
    others = {state: ready_dossier(org.other, year=Y, state=state, title=f"Khác {state}") for state in STATES}
    client.force_login(users.staff)

    response = client.get(reverse("commendations:dossier_list"))

    shown = {dossier.pk for dossier in response.context["page_obj"]}
    assert shown == {dossier.pk for dossier in own.values()}
    assert not shown & {dossier.pk for dossier in others.values()}
    client.force_login(users.outsider)
    shown = {dossier.pk for dossier in client.get(reverse("commendations:dossier_list")).context["page_obj"]}
    assert shown == {dossier.pk for dossier in others.values()}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "states"), [("council", COUNCIL_SEES), ("officer", OFFICER_SEES),
                                              ("admin", OFFICER_SEES), ("no_role", set())])
def test_list_shows_the_ministry_roles_only_their_states(client, users, org, role, states):
    made = {state: ready_dossier(org.home if i % 2 else org.other, year=Y, state=state)
            for i, state in enumerate(STATES)}
    client.force_login(getattr(users, role))

    response = client.get(reverse("commendations:dossier_list"))

    assert {dossier.state for dossier in response.context["page_obj"]} == states
    assert len(response.context["page_obj"].object_list) == len(states)
    assert made  # every state exists on one side or the other


@pytest.mark.django_db
def test_a_nominee_or_document_of_another_dossier_answers_404(client, users, org):
    mine = ready_dossier(org.home, year=Y, nominees=[(PersonFactory(unit=org.home), "LDTT")])
    theirs = ready_dossier(org.other, year=Y, nominees=[(PersonFactory(unit=org.other), "LDTT")])
    paper = DossierDocumentFactory(dossier=theirs)
    client.force_login(users.staff)

    nominee = theirs.nominees.get()
    assert client.get(reverse("commendations:nominee_edit", args=[mine.pk, nominee.pk])).status_code == 404
    assert client.get(reverse("commendations:document_download", args=[mine.pk, paper.pk])).status_code == 404
    assert client.get(reverse("commendations:document_delete", args=[mine.pk, paper.pk])).status_code == 404
    assert client.get(reverse("commendations:nominee_edit", args=[mine.pk, mine.nominees.get().pk])).status_code == 200
