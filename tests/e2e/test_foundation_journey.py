"""A unit leader's first visit: log in, dashboard, language switch, search, a person, log out."""

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_unit_leader_journey(page, users, people):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")

    # A wrong password is answered clearly, and the user name stays typed.
    page.fill("#id_username", users.leader.username)
    page.fill("#id_password", "not-the-password")
    page.click("#loginButton")
    assert "không đúng" in page.inner_text("#loginError")
    assert page.input_value("#id_username") == users.leader.username

    page.fill("#id_password", PASSWORD)
    page.click("#loginButton")
    page.wait_for_selector("[data-panel=unit_leader]")
    assert page.get_attribute("html", "lang") == "vi"
    assert "Sở Tư pháp Hà Nội" in page.inner_text("[data-panel=unit_leader]")
    assert page.inner_text("[data-role=unit_leader]") == "Lãnh đạo đơn vị"

    # English, then back to Vietnamese.
    page.click("#languageSwitch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("[data-role=unit_leader]") == "Unit leader"
    page.click("#languageSwitch button[value=vi]")
    page.wait_for_selector("html[lang=vi]")

    # Search without diacritics from the navigation bar, open the person.
    page.fill("#navSearch", "Nguyen Anh Tuan")
    page.press("#navSearch", "Enter")
    page.wait_for_selector("#peopleTable")
    rows = page.locator("#peopleTable tbody tr")
    assert rows.count() == 1
    page.click("#peopleTable >> text=Nguyễn Anh Tuấn")
    page.wait_for_selector("h1:has-text('Nguyễn Anh Tuấn')")
    assert "Văn phòng Sở" in page.inner_text("main")

    # Log out through the user menu (a POST form).
    page.click("#userMenu")
    page.click("#logoutButton")
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url
