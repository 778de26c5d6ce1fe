"""An administrator of a fresh school imports people from a spreadsheet in the browser:
template, a file with a bad row, the problem shown, the fixed file, the progress bar to the end,
and everyone there (and nobody in the other school)."""

from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import FilePayload, expect

from accounts.models import User
from accounts.roles import Role
from people.models import ImportJob, ImportStatus
from school.models import ClassGroup, StudentRecord
from tenants.models import Tenant
from tests.e2e.browser import Browsing
from tests.e2e.data import new_user, off_the_browser_thread
from tests.people.helpers import big_school_csv

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

ROWS = 300


@off_the_browser_thread
def _group(tenant: Tenant) -> None:
    with tenant_context(tenant):
        ClassGroup.objects.create(name="1° A")


@off_the_browser_thread
def _outcome(school: Tenant, school_b: Tenant) -> dict[str, object]:
    with tenant_context(school):
        job = ImportJob.objects.get()
        result: dict[str, object] = {
            "status": job.status,
            "created": job.created_count,
            "people": User.objects.filter(email__endswith="@big.test").count(),
            "invited": User.objects.filter(
                email__endswith="@big.test", invited_at__isnull=False
            ).count(),
            "records": StudentRecord.objects.count(),
        }
    with tenant_context(school_b):
        result["elsewhere"] = User.objects.filter(email__endswith="@big.test").count()
        result["jobs_elsewhere"] = ImportJob.objects.count()
    return result


def _payload(data: bytes, name: str) -> FilePayload:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


def test_an_administrator_imports_a_fixed_file_and_watches_it_finish(
    browsing: Browsing, school: Tenant, school_b: Tenant
) -> None:
    # given the administrator of a fresh school with one group, on the import page
    admin = new_user(school, Role.ADMINISTRATOR, name="Ada Admin")
    _group(school)
    ada = browsing.signed_in("admin", school, admin, "/people/import/")
    page = ada.page
    browsing.shot(ada, "upload")

    # when she downloads the template, it names the school's columns
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (CSV)").click()
    template = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert template[0] == "role,full_name,email,enrolment_number,group,children,language"

    # and uploads her file with a bad e-mail on row 5
    good = big_school_csv(ROWS)
    lines = good.decode().splitlines()
    lines[4] = lines[4].replace("@big.test", "@@big.test", 1)
    bad = ("\n".join(lines) + "\n").encode()
    page.locator("input[type=file]").set_input_files(_payload(bad, "people.csv"))
    page.get_by_role("button", name="Check the file").click()

    # then the preview shows the problem on its row, and the import cannot start
    expect(page.locator("#import-problems")).to_contain_text("1 row has a problem")
    row = page.locator('tr[data-row="5"]')
    expect(row).to_contain_text("is not a valid e-mail address")
    expect(page.locator("#import-start")).to_be_disabled()
    browsing.shot(ada, "preview-with-problem")

    # when she uploads the corrected file
    page.locator("input[type=file]").last.set_input_files(_payload(good, "people-fixed.csv"))
    page.get_by_role("button", name="Check the file").last.click()
    expect(page.locator("#import-ready")).to_be_visible()
    start = page.locator("#import-start")
    expect(start).to_be_enabled()
    expect(start).to_have_text(f"Import {ROWS} people")
    browsing.shot(ada, "preview-ready")

    # and imports it
    start.click()
    # then the job page's bar reaches the end and says what happened
    expect(page.locator("#import-result")).to_contain_text(f"{ROWS} people imported.")
    bar = page.locator("#import-progress")
    expect(bar).to_have_attribute("value", str(ROWS))
    expect(bar).to_have_attribute("max", str(ROWS))
    expect(page.locator("#import-result")).to_contain_text(f"{ROWS} invitations sent.")
    browsing.shot(ada, "done")
    # and a reload without the socket says the same
    page.reload()
    expect(page.locator("#import-state")).to_have_text("Imported")
    expect(page.locator("#import-result")).to_contain_text(f"{ROWS} people imported.")

    # and everyone is there, invited, with their records; nothing reached the other school
    outcome = _outcome(school, school_b)
    assert outcome == {
        "status": ImportStatus.DONE,
        "created": ROWS,
        "people": ROWS,
        "invited": ROWS,
        "records": ROWS - ROWS // 3,
        "elsewhere": 0,
        "jobs_elsewhere": 0,
    }
