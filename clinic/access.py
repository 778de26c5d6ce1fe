"""Which appointments and schedules a user may see. Helpers raise Http404, never revealing
whether something exists; the topic check raises TopicDenied for the socket."""

from collections.abc import Mapping
from typing import Any

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


def access_appointment(*, user: User, pk: int) -> Appointment:
    """Patients see their own, dentists theirs, the front desk and administrators all."""
    qs = Appointment.objects.select_related("patient", "dentist", "chair", "type")
    if user.has_role(Role.PATIENT):
        qs = qs.filter(patient=user)
    elif user.has_role(Role.DENTIST):
        qs = qs.filter(dentist=user)
    elif not user.has_role(*FRONT_DESK):
        raise Http404(_("No such appointment."))
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
