from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from tenants.models import Tenant
from tests.factories import make_user


@dataclass(frozen=True)
class People:
    admin: User
    alice: User
    bob: User
    carol: User


@pytest.fixture
def people(school: Tenant) -> People:
    """An administrator and three students of the first school."""
    return People(
        admin=make_user(school, Role.ADMINISTRATOR, name="Admin"),
        alice=make_user(school, Role.STUDENT, name="Alice"),
        bob=make_user(school, Role.STUDENT, name="Bob"),
        carol=make_user(school, Role.STUDENT, name="Carol"),
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """`with on_commit(execute=True) as callbacks:` runs what would run after commit."""
    return django_capture_on_commit_callbacks
