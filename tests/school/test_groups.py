"""The groups page: administrators list the class groups with how many students each has,
create and rename them; a name is never blank nor taken twice (any case)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import tenant_context

from accounts.roles import Role
from school.models import ClassGroup, StudentRecord
from school.services.groups import group_create, group_rename
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People

pytestmark = pytest.mark.django_db


def test_administrators_list_create_and_rename_groups(
    school: Tenant, school_b: Tenant, people: People
) -> None:
    with tenant_context(school):
        first_a = ClassGroup.objects.create(name="1° A")
        StudentRecord.objects.create(student=people.alice, enrolment_number="1", group=first_a)
        StudentRecord.objects.create(student=people.bob, enrolment_number="2", group=first_a)
    with tenant_context(school_b):
        ClassGroup.objects.create(name="9° Z")
    admin = client_for(school, people.admin)
    page = admin.get("/school/groups/")
    assert page.status_code == 200
    assert "1° A" in page.text and "9° Z" not in page.text
    assert '<td class="num">2</td>' in page.text
    # create
    created = admin.post("/school/groups/", {"name": " 1° B "}, follow=True)
    assert "Group 1° B created." in created.text
    # a taken name (any case) or a blank one is refused, with the reason
    taken = admin.post("/school/groups/", {"name": "1° a"})
    assert taken.status_code == 400 and "There is already a group called 1° a." in taken.text
    assert admin.post("/school/groups/", {"name": "  "}).status_code == 400
    # rename
    renamed = admin.post(f"/school/groups/{first_a.pk}/rename/", {"name": "2° A"}, follow=True)
    assert "1° A renamed to 2° A." in renamed.text
    clash = admin.post(f"/school/groups/{first_a.pk}/rename/", {"name": "1° B"})
    assert clash.status_code == 400 and "There is already a group called 1° B." in clash.text
    with tenant_context(school):
        assert sorted(ClassGroup.objects.values_list("name", flat=True)) == ["1° B", "2° A"]
    with tenant_context(school_b):
        assert list(ClassGroup.objects.values_list("name", flat=True)) == ["9° Z"]
    assert admin.post("/school/groups/999999/rename/", {"name": "x"}).status_code == 404


def test_only_administrators_manage_groups(school: Tenant, people: People) -> None:
    teacher = make_user(school, Role.TEACHER)
    with tenant_context(school):
        group = ClassGroup.objects.create(name="1° A")
        with pytest.raises(PermissionDenied):
            group_create(name="X", by=teacher)
        with pytest.raises(PermissionDenied):
            group_rename(group=group, name="X", by=people.alice)
        with pytest.raises(ValidationError):
            group_create(name="1° A", by=people.admin)
    for user in (teacher, people.alice):
        client = client_for(school, user)
        assert client.get("/school/groups/").status_code == 403
        assert client.post(f"/school/groups/{group.pk}/rename/", {"name": "Y"}).status_code == 403
