"""The 500 page renders when the database is what failed: no query, no context processor.
No django_db mark here: pytest-django refuses any query this test would make."""

from django.test import RequestFactory

from config import errors
from tenants.models import Tenant
from tests.config.test_error_pages import SPANISH, assert_error_page


def test_the_500_page_needs_no_database() -> None:
    # given a failed request on a school's site (its tenant already looked up)
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=SPANISH)
    request.tenant = Tenant(schema_name="school_a", name="Alpha School", kind="school")
    # when Django asks the 500 handler for the page, then it renders in full
    response = errors.server_error(request)
    assert_error_page(response, 500, SPANISH, "Algo salió mal", "Alpha School")
