"""The staff dashboard's "Online now" card follows colleagues coming and going, without reload."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import new_user

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


def test_the_online_now_card_follows_colleagues(
    browsing: Browsing, clinic: Tenant, clinic_b: Tenant
) -> None:
    # given a receptionist looking at the clinic's dashboard
    desk = new_user(clinic, Role.RECEPTIONIST, name="Rita Desk")
    receptionist = browsing.signed_in("receptionist", clinic, desk, "/clinic/")
    card = receptionist.page.locator("#online-staff")
    expect(card).to_contain_text("Online now")
    receptionist.mark_page()

    # when a dentist of the clinic, and one of another clinic, open a page
    dentist = browsing.signed_in(
        "dentist", clinic, new_user(clinic, Role.DENTIST, name="Dr Ana Molar"), "/clinic/"
    )
    browsing.signed_in(
        "rival", clinic_b, new_user(clinic_b, Role.DENTIST, name="Dr Bruno Rival"), "/clinic/"
    )

    # then the card shows the colleague, never the other clinic's dentist
    expect(card).to_contain_text("Dr Ana Molar")
    browsing.shot(receptionist, "colleague-online")
    # and when the colleague closes the page, the card drops her
    dentist.page.close()
    expect(card).not_to_contain_text("Dr Ana Molar")
    assert "Dr Bruno Rival" not in card.inner_text()
    receptionist.expect_not_reloaded()
