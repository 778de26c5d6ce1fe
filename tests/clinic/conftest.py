"""The clinic every test of this directory works in (tests.clinic.factories.make_clinic)."""

from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.clinic.factories import Clinic, make_clinic


@pytest.fixture
def c(clinic: Tenant) -> Iterator[Clinic]:
    """The first clinic, set up: two dentists, two chairs, the front desk, two patients."""
    with tenant_context(clinic):
        yield make_clinic(clinic)


@pytest.fixture
def other(clinic_b: Tenant) -> Iterator[Clinic]:
    """The second clinic, set up the same way (for isolation checks)."""
    with tenant_context(clinic_b):
        yield make_clinic(clinic_b)
