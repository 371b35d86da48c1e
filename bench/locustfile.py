"""Load test of the portal: the roles' journeys against a database filled by `manage.py seed_scale`.

Run through bench/load_run.sh (gunicorn + a Celery worker + locust headless at 10/25/50 users), or
by hand against a running portal:

    LOAD_TARGETS=targets.json LOAD_PASSWORD=scale-2026 .venv/bin/locust -f bench/locustfile.py \
        --headless -u 25 -r 5 -t 5m --reset-stats --host http://127.0.0.1:8010 StaffUser LeaderUser OfficerUser CouncilUser

LOAD_TARGETS is the JSON of bench/scale_targets.py (the ids each seeded login works on). Each user
logs in once while spawning (--reset-stats drops those logins from the figures: a PBKDF2 login is
deliberately slow). `FloorUser` alone measures the framework floor (/health/: middleware, one
`SELECT 1`, a JSON answer). Requests are named by page, not by URL, so ids do not split the stats.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

import requests
from locust import HttpUser, between, task

TARGETS = json.loads(Path(os.environ.get("LOAD_TARGETS", "targets.json")).read_text()) if (
    Path(os.environ.get("LOAD_TARGETS", "targets.json")).exists()) else {"units": [], "dossiers": []}
PASSWORD = os.environ.get("LOAD_PASSWORD", "scale-2026")
YEAR = TARGETS.get("year", 2026)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)"[^>]*value="([^"]*)"')
# a scorecard line's row: the fields its htmx save sends
LINE_ROW = re.compile(r'<tr id="line-(\d+)"[^>]*hx-params="([^"]+)"')
_unit_numbers = itertools.count()


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # a person reads a page before the next click
    username = ""

    def on_start(self):
        # Logging in goes around locust's statistics (a plain requests session whose cookies are
        # handed over): a PBKDF2 login is slow on purpose and happens once per user, not per click.
        session = requests.Session()
        page = session.get(f"{self.host}/accounts/login/")
        token = CSRF.search(page.text)
        response = session.post(
            f"{self.host}/accounts/login/",
            data={"username": self.login_name(), "password": PASSWORD,
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/accounts/login/"},
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"login refused for {self.login_name()}")
        self.client.cookies.update(session.cookies)

    def login_name(self) -> str:
        return self.username

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {url}")
            elif "/accounts/login/" in response.url:
                response.failure(f"sent to the login page from {url}")


class UnitUser(PortalUser):
    """A unit's staff or leader: works on its own unit's plan, tasks, scorecard and dossier."""

    abstract = True
    prefix = ""

    def on_start(self):
        units = TARGETS["units"]
        self.unit = units[next(_unit_numbers) % len(units)]
        super().on_start()

    def login_name(self) -> str:
        return f"{self.prefix}{self.unit['n']}"

    @task(3)
    def dashboard(self):
        self.get("/", "dashboard")

    @task(3)
    def office_home(self):
        self.get("/office/", "office home")

    @task(3)
    def task_list_filtered(self):
        status = random.choice(["overdue", "in_progress", "completed_on_time", ""])
        self.get(f"/office/tasks/?year={YEAR}&status={status}", "task list (filters)")

    @task(1)
    def task_search(self):
        self.get(f"/office/tasks/?year={YEAR}&q=bao+cao", "task list (search)")

    @task(2)
    def task_detail(self):
        if self.unit["tasks"]:
            self.get(f"/office/tasks/{random.choice(self.unit['tasks'])}/", "task detail")

    @task(1)
    def plan_detail(self):
        if self.unit["plan"]:
            self.get(f"/office/plans/{self.unit['plan']}/", "plan detail")

    @task(3)
    def scorecard(self):
        if self.unit["scorecard"]:
            self.get(f"/emulation/scorecards/{self.unit['scorecard']}/", "scorecard (300 lines)")

    @task(2)
    def dossier_list(self):
        self.get(f"/commendations/dossiers/?year={YEAR}", "dossier list")

    @task(2)
    def dossier_detail(self):
        if self.unit["dossier"]:
            self.get(f"/commendations/dossiers/{self.unit['dossier']}/", "dossier detail")

    @task(1)
    def people(self):
        self.get("/people/?q=nguyen", "people (search)")


class StaffUser(UnitUser):
    weight = 6
    prefix = "scale_staff_"

    @task(2)
    def scorecard_entry(self):
        """Self-scoring: open the unit's draft scorecard and type a measured value on one line (the
        row's htmx save, as the browser sends it)."""
        if self.unit.get("scorecard_state") != "draft":
            return
        url = f"/emulation/scorecards/{self.unit['scorecard']}/"
        page = self.client.get(url, name="scorecard (300 lines)")
        rows = [(line, params.split(",")) for line, params in LINE_ROW.findall(page.text)
                if f"l{line}-value" in params]
        if not rows:
            return
        line, params = random.choice(rows)
        data = {}
        for name in params:
            found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page.text)
            data[name] = found.group(1) if found else ""
        data[f"l{line}-value"] = str(random.randint(40, 100))
        data["csrfmiddlewaretoken"] = (CSRF.search(page.text) or [None, ""])[1]
        with self.client.post(f"{url}save/", data=data, name="scorecard entry (one line)", catch_response=True,
                              headers={"HX-Request": "true", "Referer": self.host + url}) as response:
            if response.status_code != 200 or f"feedback-{line}" not in response.text:
                response.failure(f"line not saved: {response.status_code}")


class LeaderUser(UnitUser):
    weight = 2
    prefix = "scale_leader_"

    @task(1)
    def report_request(self):
        """Ask for the unit's work-plan report (a PDF rendered by the Celery worker)."""
        url = "/reports/office.work_plan_report/"
        page = self.client.get(url, name="report form")
        token = CSRF.search(page.text)
        with self.client.post(url, name="report request", catch_response=True, headers={"Referer": self.host + url},
                              data={"year": YEAR, "unit": self.unit["unit"],
                                    "csrfmiddlewaretoken": token.group(1) if token else ""}) as response:
            if response.status_code != 200 or "/reports/jobs/" not in response.url:
                response.failure(f"report not queued: {response.status_code} {response.url}")

    @task(1)
    def dossier_transition(self):
        """Move the unit's dossier one step: a complete draft is submitted, a submitted one sent back."""
        action = {"draft": "submit", "submitted": "send_back"}.get(self.unit.get("dossier_state"))
        if action is None:
            return
        url = f"/commendations/dossiers/{self.unit['dossier']}/do/{action}/"
        with self.client.get(url, name="dossier transition (form)", catch_response=True) as page:
            if page.status_code == 403:  # the dossier moved meanwhile (another run): the other step next time
                self.unit["dossier_state"] = "submitted" if action == "submit" else "draft"
                page.success()
                return
        data = dict(HIDDEN.findall(page.text))  # the token, the dossier's version, the submit-once key
        if action == "send_back":
            data["reason"] = "Đề nghị bổ sung số liệu (kiểm thử tải)."
        with self.client.post(url, data=data, name=f"dossier {action.replace('_', ' ')}", catch_response=True,
                              headers={"Referer": self.host + url}) as response:
            if response.status_code == 200 and response.url.endswith(f"/commendations/dossiers/{self.unit['dossier']}/"):
                self.unit["dossier_state"] = "submitted" if action == "submit" else "draft"
            else:
                response.failure(f"dossier not moved ({action}): {response.status_code} {response.url}")


class OfficerUser(PortalUser):
    """The emulation officer: the ministry-wide lists, campaigns and dossiers."""

    weight = 1
    username = "scale_officer"

    @task(2)
    def dashboard(self):
        self.get("/", "dashboard")

    @task(2)
    def ministry_dashboard(self):
        self.get(f"/office/ministry/?year={YEAR}", "ministry dashboard")

    @task(3)
    def dossier_list(self):
        state = random.choice(["", "appraisal", "council", "submitted"])
        self.get(f"/commendations/dossiers/?year={YEAR}&state={state}", "dossier list (filters)")

    @task(3)
    def dossier_detail(self):
        if TARGETS["dossiers"]:
            self.get(f"/commendations/dossiers/{random.choice(TARGETS['dossiers'])}/", "dossier detail")

    @task(1)
    def campaign(self):
        if TARGETS.get("campaign"):
            self.get(f"/emulation/campaigns/{TARGETS['campaign']}/", "campaign detail")

    @task(1)
    def search(self):
        self.get("/commendations/search/?q=nguyen+van", "commendation search")

    @task(1)
    def units(self):
        self.get("/units/", "unit list")


class CouncilUser(PortalUser):
    """A council member: the meeting and the dossiers before the council."""

    weight = 1
    username = "scale_council1"

    @task(2)
    def meetings(self):
        self.get("/commendations/council/", "meeting list")

    @task(2)
    def meeting(self):
        if TARGETS.get("meeting"):
            self.get(f"/commendations/council/{TARGETS['meeting']}/", "meeting detail")

    @task(1)
    def elections(self):
        self.get("/commendations/elections/", "elections")

    @task(2)
    def dossier_list(self):
        self.get(f"/commendations/dossiers/?year={YEAR}&state=council", "dossier list (filters)")


class FloorUser(HttpUser):
    """The framework floor: /health/ (middleware, one SELECT 1, JSON). Run it alone."""

    wait_time = between(1, 3)

    @task
    def health(self):
        self.client.get("/health/", name="health (floor)")
