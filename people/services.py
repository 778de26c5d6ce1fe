"""Writes to a tenant's people. Call inside the tenant's schema (a request or tenant_context).

person_add is the one way a person is created by staff (the people pages and the CSV import
both call it); deactivation and "sign out everywhere" end the sessions and close the sockets
through person_sign_out_everywhere."""

from collections.abc import Callable, Sequence

from django.db import transaction

from accounts.language import language_for
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create, user_invite, user_sessions_end, users_invite
from realtime.sessions import user_signed_out
from school.models import ClassGroup
from school.services.people import guardianship_set, student_record_set
from tenants.selectors import current_tenant, tenant_base_url


def person_invite(*, person: User, invited_by: User | None) -> str:
    """E-mail `person` a set-password link after commit (again, for a resend), in their
    language or the tenant's; returns the link."""
    tenant = current_tenant()
    return user_invite(
        user=person,
        site_name=tenant.name,
        base_url=tenant_base_url(tenant=tenant),
        language=language_for(person, tenant),
        invited_by=invited_by.display_name if invited_by else None,
    )


@transaction.atomic
def person_add(
    *,
    email: str,
    role: Role | str,
    full_name: str = "",
    invited_by: User | None,
    enrolment_number: str = "",
    group: ClassGroup | None = None,
    children: Sequence[User] = (),
    language: str = "",
    invite: bool = True,
) -> User:
    """Create a person of the current tenant with their role's records (a student's
    enrolment number and group, a guardian's children) and invite them after commit.
    Raises ValidationError (keyed by field) and writes nothing on bad input."""
    tenant = current_tenant()
    person = user_create(kind=tenant.kind, email=email, role=role, full_name=full_name.strip())
    if language:
        person.language = language
        person.save(update_fields=["language"])
    if role == Role.STUDENT:
        student_record_set(student=person, enrolment_number=enrolment_number, group=group)
    elif role == Role.GUARDIAN:
        guardianship_set(guardian=person, students=children)
    if invite:
        person_invite(person=person, invited_by=invited_by)
    return person


def person_sign_out_everywhere(*, person: User) -> User:
    """End every session of `person` and close each of their sockets once this commits."""
    user_sessions_end(user=person)
    user_signed_out(user_id=person.pk)
    return person


def people_invite(
    *,
    people: Sequence[User],
    invited_by: User | None,
    sent: Callable[[int], None] | None = None,
) -> int:
    """person_invite for many at once (the CSV import): each e-mail in the person's language
    or the tenant's, all sent over one connection after commit (accounts.users_invite)."""
    tenant = current_tenant()
    return users_invite(
        users=[(person, language_for(person, tenant)) for person in people],
        site_name=tenant.name,
        base_url=tenant_base_url(tenant=tenant),
        invited_by=invited_by.display_name if invited_by else None,
        sent=sent,
    )
