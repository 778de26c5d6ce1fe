"""Which appointments and schedules a user may see. Helpers raise Http404, never revealing
whether something exists; the topic check raises TopicDenied for the socket."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import CLINIC_STAFF, Role
from clinic.models import Appointment
from clinic.selectors import dentist_list
from realtime.topics import TopicDenied
from tenants.selectors import current_tenant

# The clinic's staff who see every dentist's appointments (a dentist sees only their own).
FRONT_DESK: frozenset[Role] = CLINIC_STAFF - {Role.DENTIST}


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    """The one rule of who sees which appointment (its page, its thread, the staff inbox):
    patients their own, dentists theirs, the front desk and administrators all; nobody else
    any."""
    qs = Appointment.objects.all()
    if user.has_role(Role.PATIENT):
        return qs.filter(patient=user)
    if user.has_role(Role.DENTIST):
        return qs.filter(dentist=user)
    if user.has_role(*FRONT_DESK):
        return qs
    return qs.none()


def thread_watcher_ids(appointment: Appointment) -> set[int]:
    """The staff whose inbox lists this appointment's thread (the same rule, seen from the
    appointment): every active member of the front desk and its dentist."""
    front_desk = User.objects.filter(role__in=FRONT_DESK, is_active=True)
    return {*front_desk.values_list("pk", flat=True), appointment.dentist_id}


def access_appointment(*, user: User, pk: int) -> Appointment:
    """Patients see their own, dentists theirs, the front desk and administrators all."""
    qs = appointments_visible_to(user).select_related("patient", "dentist", "chair", "type")
    appointment = qs.filter(pk=pk).first()
    if appointment is None:
        raise Http404(_("No such appointment."))
    return appointment


def access_dentist(*, user: User, pk: int | None) -> User:
    """The dentist whose schedule `user` may open: a dentist only their own (pk may be
    omitted), the front desk any active dentist."""
    if user.has_role(Role.DENTIST) and pk in (None, user.pk):
        return user
    if user.has_role(*FRONT_DESK) and pk is not None:
        dentist = dentist_list().filter(pk=pk).first()
        if dentist is not None:
            return dentist
    raise Http404(_("No such dentist."))


def authorize_schedule(user: User, params: Mapping[str, Any]) -> int:
    """clinic.schedule: object_id is a dentist's user id."""
    if current_tenant().kind != "clinic":
        raise TopicDenied(_("This is not a clinic."))
    if user.has_role(Role.PATIENT):
        raise TopicDenied(_("Patients cannot watch a schedule."))
    raw = params.get("object_id", params.get("dentist_id"))
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise TopicDenied(_("Name the dentist: params.object_id must be a dentist's id."))
    if not user.has_role(*CLINIC_STAFF):
        raise TopicDenied(_("You may not watch this schedule."))
    if user.has_role(Role.DENTIST):
        if raw != user.pk:
            raise TopicDenied(_("Dentists may watch only their own schedule."))
        return raw
    if dentist_list().filter(pk=raw).exists():
        return raw
    raise TopicDenied(_("You may not watch this schedule."))


def authorize_inbox(user: User, params: Mapping[str, Any]) -> int:
    """clinic.inbox: the staff's threads with the viewer's own unread counts, so each member of
    the staff watches only their own inbox (the object id is theirs, whatever is asked)."""
    if current_tenant().kind != "clinic":
        raise TopicDenied(_("This is not a clinic."))
    if not user.has_role(*CLINIC_STAFF):
        raise TopicDenied(_("Only the clinic's staff have a messages inbox."))
    return user.pk


# --- setting the clinic up -------------------------------------------------------------------

# Who may open each setup page, stated once (the views and the nav read it). Administrators
# set up everything. The front desk keeps the calendar (dentists' hours, days off, clinic
# holidays): it is who hears that a dentist is away and answers the patients who call. Chairs,
# kinds of appointment and the clinic's rules are the administrators'. A dentist may read
# their own hours (access_hours); patients get 403.
_ADMIN = frozenset({Role.ADMINISTRATOR})
_CALENDAR = frozenset({Role.ADMINISTRATOR, Role.RECEPTIONIST})
SETUP_ROLES: dict[str, frozenset[Role]] = {
    "setup": _CALENDAR,
    "setup_dentists": _CALENDAR,
    "setup_hours": _CALENDAR | {Role.DENTIST},
    "setup_days_off": _CALENDAR,
    "setup_holidays": _CALENDAR,
    "setup_chairs": _ADMIN,
    "setup_types": _ADMIN,
    "setup_settings": _ADMIN,
}


def may_setup(user: User, page: str) -> bool:
    return user.has_role(*SETUP_ROLES[page])


def access_hours(*, user: User, dentist_id: int) -> tuple[User, bool]:
    """The dentist whose hours `user` may open, and whether they may change them: the
    calendar keepers any active dentist's, a dentist only their own and only to read."""
    if user.has_role(*_CALENDAR):
        dentist = dentist_list().filter(pk=dentist_id).first()
        if dentist is not None:
            return dentist, True
    elif user.has_role(Role.DENTIST) and user.pk == dentist_id:
        return user, False
    raise Http404(_("No such dentist."))
