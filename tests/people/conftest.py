"""People managers of each kind (and someone who is not one), in the first tenant of the kind;
the second tenant of each kind is always there (conftest) to check nothing reaches it."""

from dataclasses import dataclass

import pytest

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import make_user


@dataclass(frozen=True)
class Staff:
    tenant: Tenant
    manager: User  # an administrator
    other: User  # someone who manages no one (a teacher, a dentist)


@pytest.fixture(params=["school", "clinic"])
def staff(request: pytest.FixtureRequest) -> Staff:
    """An administrator and a non-manager of a school, then of a clinic."""
    tenant: Tenant = request.getfixturevalue(request.param)
    request.getfixturevalue(f"{request.param}_b")
    other_role = Role.TEACHER if tenant.kind == "school" else Role.DENTIST
    return Staff(
        tenant=tenant,
        manager=make_user(tenant, Role.ADMINISTRATOR, name="Ada Admin"),
        other=make_user(tenant, other_role, name="Olga Other"),
    )
