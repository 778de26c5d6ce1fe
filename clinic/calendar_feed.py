"""A person's private calendar feed: what it lists and how its URL's token is made and found.

The token is an HMAC (the site's secret) of the feed's random key, the tenant's schema and the
person: unguessable, shown again on the person's page without being stored, and bound to this
tenant (another tenant's domain finds no feed for it). A request finds the feed by the token's
SHA-256 digest, the only form of it in the database."""

import hashlib
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from clinic.calendar import PUBLISH, CalendarEvent, appointment_uid, calendar_bytes, chain_position
from clinic.invitations import patient_summary
from clinic.models import Appointment, CalendarFeed
from clinic.selectors import appointment_url
from clinic.states import AppointmentState
from tenants.selectors import current_tenant, tenant_base_url

# Who has a feed: the people appointments are for and with.
FEED_ROLES: frozenset[Role] = frozenset({Role.PATIENT, Role.DENTIST})
# A feed lists confirmed appointments from this long ago on (and those that took place), so
# today's and last weeks' stay visible; everything ahead is listed.
RECENT = timedelta(days=30)
FEED_STATES = (AppointmentState.CONFIRMED, AppointmentState.COMPLETED)
# A token is 64 hex digits; anything much longer is not one (refused before any hashing).
TOKEN_MAX_LENGTH = 128
_SALT = "aviso.clinic.calendar_feed"


def feed_token(feed: CalendarFeed) -> str:
    message = f"{current_tenant().schema_name}:{feed.user_id}:{feed.key}"
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner(*, token: str) -> User | None:
    """The active patient or dentist whose feed `token` opens in this tenant, else None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.filter(token_digest=token_digest(token)).select_related("user").first()
    )
    if feed is None or not feed.user.is_active or not feed.user.has_role(*FEED_ROLES):
        return None
    return feed.user


def feed_appointments(*, user: User) -> QuerySet[Appointment]:
    """`user`'s confirmed appointments, recent and ahead: a patient's own, a dentist's."""
    qs = Appointment.objects.filter(
        state__in=FEED_STATES, ends_at__gte=timezone.now() - RECENT
    ).select_related("patient", "dentist", "type")
    if user.has_role(Role.PATIENT):
        return qs.filter(patient=user)
    if user.has_role(Role.DENTIST):
        return qs.filter(dentist=user)
    return qs.none()


def _summary(appointment: Appointment, *, for_patient: bool) -> str:
    if for_patient:
        return patient_summary(kind=appointment.type.name, dentist=appointment.dentist.display_name)
    return _("%(kind)s: %(patient)s") % {
        "kind": appointment.type.name,
        "patient": appointment.patient.display_name,
    }


def feed_calendar(*, user: User) -> bytes:
    """The feed's iCalendar text, in the active language (call in the owner's)."""
    appointments = list(feed_appointments(user=user))
    own = Appointment.objects.filter(
        **({"patient": user} if user.has_role(Role.PATIENT) else {"dentist": user})
    )
    links = dict(own.values_list("pk", "rescheduled_from_id"))
    tenant = current_tenant()
    base_url = tenant_base_url(tenant=tenant)
    for_patient = user.has_role(Role.PATIENT)
    events = []
    for appointment in appointments:
        first, depth = chain_position(appointment_id=appointment.pk, links=links)
        events.append(
            CalendarEvent(
                uid=appointment_uid(first_id=first),
                sequence=depth,
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                stamp=appointment.updated_at,
                summary=_summary(appointment, for_patient=for_patient),
                description=tenant.name,
                location=tenant.name,
                url=base_url + appointment_url(appointment.pk),
            )
        )
    name = _("%(clinic)s appointments") % {"clinic": tenant.name}
    return calendar_bytes(events=events, method=PUBLISH, name=name)
