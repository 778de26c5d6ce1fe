"""Writes to a tenant's people. Call inside the tenant's schema (a request or tenant_context).

person_add is the one way a person is created by staff (the people pages and the CSV import
both call it); deactivation and "sign out everywhere" end the sessions and close the sockets
through person_sign_out_everywhere."""

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from accounts.language import language_for
from accounts.models import PersonStatus, User
from accounts.roles import Role, people_managers, roles_for_kind
from accounts.services import user_create, user_invite, user_sessions_end, users_invite
from realtime.sessions import user_signed_out
from school.models import ClassGroup, Guardianship, StudentRecord
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
    if invited_by is not None and role not in grantable_roles(by=invited_by):
        raise ValidationError({"role": gettext("You cannot give that role.")})
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


# --- the people pages ----------------------------------------------------------------------


def grantable_roles(*, by: User) -> list[Role]:
    """The roles `by` may give and take away: a people manager's kind's roles, except that only
    administrators make (or unmake) administrators. Nobody else grants anything."""
    kind = current_tenant().kind
    if not by.has_role(*people_managers(kind)):
        return []
    return [
        role
        for role in Role
        if role in roles_for_kind(kind)
        and (role != Role.ADMINISTRATOR or by.role == Role.ADMINISTRATOR)
    ]


def _check_may_act_on(*, person: User, by: User) -> None:
    """A receptionist may not act on an administrator (it would be a way around not granting
    that role); nobody may act on someone whose role they could not have granted."""
    if person.role not in grantable_roles(by=by):
        raise ValidationError(
            gettext("Only an administrator can change an administrator's account.")
        )


def _is_last_active_administrator(person: User) -> bool:
    """Whether `person` is the only active administrator. The administrators' rows stay locked
    until the caller's transaction ends, so two administrators removing each other at once
    cannot both succeed."""
    if person.role != Role.ADMINISTRATOR or not person.is_active:
        return False
    active = User.objects.select_for_update().filter(role=Role.ADMINISTRATOR, is_active=True)
    return set(active.values_list("pk", flat=True)) <= {person.pk}


def person_invite_again(*, person: User, by: User) -> str:
    """A fresh set-password link for someone who has not chosen a password yet."""
    _check_may_act_on(person=person, by=by)
    if person.status != PersonStatus.INVITED:
        raise ValidationError(
            gettext("%(name)s has already chosen a password: there is nothing to resend.")
            % {"name": person.display_name}
            if person.is_active
            else gettext("%(name)s is deactivated: reactivate them first.")
            % {"name": person.display_name}
        )
    return person_invite(person=person, invited_by=by)


@transaction.atomic
def person_change_role(
    *,
    person: User,
    role: Role | str,
    by: User,
    enrolment_number: str = "",
    group: ClassGroup | None = None,
) -> User:
    """Give `person` another role and sign them out everywhere (what they may open changes, so
    no page or socket of theirs stays open with the old one). Moving to student needs an
    enrolment number; moving away from student or guardian removes that role's records (a
    student's record and guardians, a guardian's children); their grades, invoices and
    appointments stay."""
    _check_may_act_on(person=person, by=by)
    if role not in grantable_roles(by=by):
        raise ValidationError({"role": gettext("You cannot give that role.")})
    role = Role(role)
    if role == person.role:
        raise ValidationError(
            {"role": gettext("%(name)s already has that role.") % {"name": person.display_name}}
        )
    if person.pk == by.pk:
        raise ValidationError(gettext("You cannot change your own role."))
    if _is_last_active_administrator(person):
        raise ValidationError(
            gettext("%(name)s is the last active administrator: make someone else one first.")
            % {"name": person.display_name}
        )
    previous = person.role
    person.role = role
    person.save(update_fields=["role"])
    if previous == Role.STUDENT:
        StudentRecord.objects.filter(student=person).delete()
        Guardianship.objects.filter(student=person).delete()
    elif previous == Role.GUARDIAN:
        Guardianship.objects.filter(guardian=person).delete()
    if role == Role.STUDENT:
        student_record_set(student=person, enrolment_number=enrolment_number, group=group)
    return person_sign_out_everywhere(person=person)


@transaction.atomic
def person_deactivate(*, person: User, by: User) -> User:
    """`person` can no longer sign in; their sessions end and their sockets close. Everything
    they did (grades, invoices, appointments, messages) stays."""
    _check_may_act_on(person=person, by=by)
    if person.pk == by.pk:
        raise ValidationError(gettext("You cannot deactivate yourself."))
    if not person.is_active:
        raise ValidationError(
            gettext("%(name)s is already deactivated.") % {"name": person.display_name}
        )
    if _is_last_active_administrator(person):
        raise ValidationError(
            gettext("%(name)s is the last active administrator and cannot be deactivated.")
            % {"name": person.display_name}
        )
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person_sign_out_everywhere(person=person)


def person_reactivate(*, person: User, by: User) -> User:
    """`person` may sign in again (with their old password; someone never signed in is back to
    invited, and a resend gives them a fresh link)."""
    _check_may_act_on(person=person, by=by)
    if person.is_active:
        raise ValidationError(gettext("%(name)s is active.") % {"name": person.display_name})
    person.is_active = True
    person.save(update_fields=["is_active"])
    return person


# What is part of who a person is rather than what they did: it goes with an invited person
# who is deleted. Rows of any other model that point at the person are history, and keep them
# (a model added later counts as history until it is named here).
BELONGINGS = frozenset(
    {
        "account.emailaddress",
        "realtime.inbox",
        "realtime.notification",
        "school.studentrecord",
        "school.guardianship",
        "school.enrolment",
        # What they were sent, like their notifications (the announcement keeps its count).
        "school.announcementrecipient",
        "clinic.workinghours",
    }
)


# How the refusal to delete names each kind of history (others by their model's name).
HISTORY_NAMES = {
    "school.grade": gettext_lazy("grades"),
    "school.invoice": gettext_lazy("invoices"),
    "school.payment": gettext_lazy("payments"),
    "clinic.appointment": gettext_lazy("appointments"),
    "clinic.appointmentmessage": gettext_lazy("messages"),
}


def person_history(*, person: User) -> list[str]:
    """The kinds of record that point at `person` and are not among BELONGINGS (grades,
    invoices, appointments, messages...), one query per kind."""
    found = []
    for relation in User._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        model = relation.related_model
        assert model is not None and not isinstance(model, str)
        label = model._meta.label_lower
        # Auto-created tables are many-to-many links (a teacher's courses, auth groups).
        if model._meta.auto_created or label in BELONGINGS:
            continue
        field = relation.field  # type: ignore[union-attr]
        if model._default_manager.filter(**{field.name: person}).exists():
            found.append(str(HISTORY_NAMES.get(label, model._meta.verbose_name_plural)))
    return sorted(set(found))


def person_deletable(*, person: User, by: User) -> tuple[bool, str]:
    """Whether `by` may delete `person`, and if not, why (a sentence for the page): only an
    invited person who never signed in and has no history; anyone else is deactivated."""
    if person.role not in grantable_roles(by=by):
        return False, gettext("Only an administrator can change an administrator's account.")
    if person.pk == by.pk:
        return False, gettext("You cannot delete yourself.")
    if person.status != PersonStatus.INVITED or person.last_login is not None:
        return False, gettext(
            "%(name)s has signed in here: deactivate them instead, which keeps their history."
        ) % {"name": person.display_name}
    history = person_history(person=person)
    if history:
        return False, gettext(
            "%(name)s has records here (%(records)s): deactivate them instead, which keeps them."
        ) % {"name": person.display_name, "records": ", ".join(history)}
    return True, ""


@transaction.atomic
def person_delete(*, person: User, by: User) -> None:
    """Remove someone invited by mistake (never signed in, no history) with their role records
    and notifications; anyone else is refused with the reason."""
    person = User.objects.select_for_update().get(pk=person.pk)
    deletable, reason = person_deletable(person=person, by=by)
    if not deletable:
        raise ValidationError(reason)
    person.delete()


# --- the CSV import ------------------------------------------------------------------------


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
