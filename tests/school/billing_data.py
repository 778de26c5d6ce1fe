"""A school set up for billing runs: two groups of level 3° and one of 4°, students with and
without guardians, a fee; and the second school with a group of the same name. Used by the
billing run tests (services, pages, sockets)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from school.clock import tenant_today
from school.models import ClassGroup, FeeItem, Guardianship, StudentRecord
from school.services.invoices import fee_create
from tenants.models import Tenant
from tests.factories import make_user


@dataclass(frozen=True)
class Billing:
    admin: User
    group_a: ClassGroup  # 3° A: ana, beto (each with a guardian), cami (no guardian)
    group_b: ClassGroup  # 3° B: dani (guardian)
    group_c: ClassGroup  # 4° A: eva (guardian)
    empty: ClassGroup  # 3° C: nobody
    ana: User
    beto: User
    cami: User
    dani: User
    eva: User
    fede: User  # a student in no group
    guardian: User  # ana's and dani's
    beto_guardian: User
    fee: FeeItem
    admin_b: User
    student_b: User  # in the second school's "3° A", with a guardian
    guardian_b: User

    @property
    def due_on(self) -> date:
        return tenant_today() + timedelta(days=20)


def _student(tenant: Tenant, name: str, number: str, group: ClassGroup | None) -> User:
    student = make_user(tenant, Role.STUDENT, name=name)
    with tenant_context(tenant):
        StudentRecord.objects.create(student=student, enrolment_number=number, group=group)
    return student


def billing_school(school: Tenant, school_b: Tenant) -> Billing:
    admin = make_user(school, Role.ADMINISTRATOR, name="Ada Admin")
    guardian = make_user(school, Role.GUARDIAN, name="Gloria Guardian")
    beto_guardian = make_user(school, Role.GUARDIAN, name="Bruno Guardian")
    with tenant_context(school):
        group_a = ClassGroup.objects.create(name="3° A", level="3°")
        group_b = ClassGroup.objects.create(name="3° B", level="3°")
        group_c = ClassGroup.objects.create(name="4° A", level="4°")
        empty = ClassGroup.objects.create(name="3° C", level="3°")
        fee = fee_create(name="Tuition September", amount="1500.00")
    ana = _student(school, "Ana", "E1", group_a)
    beto = _student(school, "Beto", "E2", group_a)
    cami = _student(school, "Cami", "E3", group_a)
    dani = _student(school, "Dani", "E4", group_b)
    eva = _student(school, "Eva", "E5", group_c)
    fede = _student(school, "Fede", "E6", None)
    eva_guardian = make_user(school, Role.GUARDIAN, name="Elena Guardian")
    with tenant_context(school):
        for who, child in (
            (guardian, ana),
            (guardian, dani),
            (beto_guardian, beto),
            (eva_guardian, eva),
        ):
            Guardianship.objects.create(guardian=who, student=child)
    admin_b = make_user(school_b, Role.ADMINISTRATOR, name="Admin B")
    guardian_b = make_user(school_b, Role.GUARDIAN, name="Guardian B")
    with tenant_context(school_b):
        group_b_school = ClassGroup.objects.create(name="3° A", level="3°")
        fee_create(name="Tuition September", amount="900.00")
    student_b = _student(school_b, "Student B", "E1", group_b_school)
    with tenant_context(school_b):
        Guardianship.objects.create(guardian=guardian_b, student=student_b)
    return Billing(
        admin=admin,
        group_a=group_a,
        group_b=group_b,
        group_c=group_c,
        empty=empty,
        ana=ana,
        beto=beto,
        cami=cami,
        dani=dani,
        eva=eva,
        fede=fede,
        guardian=guardian,
        beto_guardian=beto_guardian,
        fee=fee,
        admin_b=admin_b,
        student_b=student_b,
        guardian_b=guardian_b,
    )
