"""What one person does on their page shows up on another person's open page, without reload."""

import pytest
from playwright.sync_api import expect

from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import classroom, confirm, practice_with_request

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]


def test_published_grade_appears_on_the_students_open_page(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given Alice looking at her grades, and a student of another school looking at his
    room = classroom(school)
    draft = room.drafts[0]
    other = classroom(school_b, student_name="Bruno Beta")
    alice = browsing.signed_in("student", school, room.student, "/school/my/grades/")
    bruno = browsing.signed_in("other-student", school_b, other.student, "/school/my/grades/")
    grades = alice.page.locator(f'section.course[data-course-id="{room.course.pk}"] tbody')
    expect(grades.locator("tr[data-grade-id]")).to_have_count(1)
    expect(alice.page.locator("#aviso-unread")).to_be_hidden()
    alice.mark_page()
    browsing.shot(alice, "before")

    # when the administrator signs in and publishes the draft from the gradebook
    admin = browsing.sign_in_with_form("admin", school, room.admin)
    browsing.open(admin, school, f"/school/courses/{room.course.pk}/gradebook/")
    browsing.shot(admin, "gradebook-with-draft")
    admin.page.locator(f'button[form="publish-{draft.pk}"]').click()
    expect(admin.page.locator(".messages")).to_contain_text("Grade published")
    browsing.shot(admin, "published")

    # then Alice's page shows the toast and the new row, and her bell counts it
    toast = alice.page.locator("#aviso-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("New grade in Mathematics 9A")
    expect(toast).to_contain_text("Algebra test 17/20")
    row = grades.locator(f'tr[data-grade-id="{draft.pk}"]')
    expect(row).to_contain_text("Algebra test")
    expect(row).to_contain_text("17.00 / 20.00")  # as the server renders rows
    expect(grades.locator("tr[data-grade-id]")).to_have_count(2)
    # (15/20 + 17/20) / 2 = 80 %
    expect(alice.page.locator(".course-average")).to_have_text("80")
    expect(alice.page.locator("#aviso-unread")).to_have_text("1")
    alice.expect_not_reloaded()
    browsing.shot(alice, "after")
    # and the other school's student heard nothing
    assert bruno.seqs() == []
    expect(bruno.page.locator("#aviso-toasts .toast")).to_have_count(0)
    expect(bruno.page.locator("#aviso-unread")).to_be_hidden()
    browsing.shot(bruno, "after-nothing")


def test_confirmed_request_updates_the_patients_open_page(
    browsing: Browsing, clinic: Tenant, clinic_b: Tenant
) -> None:
    # given a patient looking at their pending request, and a patient of another clinic
    practice = practice_with_request(clinic)
    elsewhere = practice_with_request(clinic_b)
    c, appointment = practice.clinic, practice.request
    patient = browsing.signed_in("patient", clinic, c.patient, "/clinic/appointments/")
    stranger = browsing.signed_in(
        "other-clinic-patient", clinic_b, elsewhere.clinic.patient, "/clinic/appointments/"
    )
    state = patient.page.locator(f'tr[data-appointment="{appointment.pk}"] [data-field="state"]')
    expect(state).to_have_text("Requested")
    patient.mark_page()
    browsing.shot(patient, "requested")

    # when the dentist signs in and confirms it on the requests page
    dentist = browsing.sign_in_with_form("dentist", clinic, c.dentist)
    browsing.open(dentist, clinic, "/clinic/requests/")
    request_row = dentist.page.locator(f'tr[data-appointment="{appointment.pk}"]')
    expect(request_row).to_contain_text(c.patient.display_name)
    browsing.shot(dentist, "requests")
    request_row.locator("details[data-action=confirm] summary").click()  # it asks first
    request_row.get_by_role("button", name="Yes, confirm").click()
    expect(dentist.page.locator(".messages")).to_contain_text("Confirmed")
    expect(request_row).to_have_count(0)
    browsing.shot(dentist, "confirmed")

    # then the patient's page says so at once, with a toast and the bell
    expect(state).to_have_text("Confirmed")
    expect(state).to_have_class("state state-confirmed")
    expect(patient.page.locator("#aviso-toasts .toast")).to_have_count(1)
    expect(patient.page.locator("#aviso-unread")).to_have_text("1")
    patient.expect_not_reloaded()
    browsing.shot(patient, "confirmed")
    # and the other clinic's patient still sees their own request unchanged
    other_state = stranger.page.locator(
        f'tr[data-appointment="{elsewhere.request.pk}"] [data-field="state"]'
    )
    expect(other_state).to_have_text("Requested")
    assert stranger.seqs() == []
    expect(stranger.page.locator("#aviso-toasts .toast")).to_have_count(0)


def test_a_live_confirmation_offers_what_a_reload_would(browsing: Browsing, clinic: Tenant) -> None:
    # given a patient looking at their pending request
    practice = practice_with_request(clinic)
    patient = browsing.signed_in(
        "patient", clinic, practice.clinic.patient, "/clinic/appointments/"
    )
    row = patient.page.locator(f'tr[data-appointment="{practice.request.pk}"]')
    cancel = row.locator("details[data-action=cancel]")
    expect(cancel).to_have_count(0)
    # when the clinic confirms it
    confirm(practice)
    expect(row.locator('[data-field="state"]')).to_have_text("Confirmed")
    browsing.shot(patient, "confirmed-live")
    # then the page offers what the same page offers when loaded afresh: Cancel
    fresh = patient.context.new_page()
    fresh.goto(patient.page.url)
    fresh_row = fresh.locator(f'tr[data-appointment="{practice.request.pk}"]')
    expect(fresh_row.locator("details[data-action=cancel] summary")).to_be_visible()
    fresh.close()
    expect(cancel.locator("summary")).to_be_visible()
    browsing.shot(patient, "cancel-offered")
    # and it works: it asks first, then cancels
    cancel.locator("summary").click()
    row.get_by_role("button", name="Yes, cancel").click()
    expect(patient.page.locator(".messages")).to_contain_text("cancelled")
    expect(row.locator('[data-field="state"]')).to_have_text("Cancelled")
    browsing.shot(patient, "cancelled")
