"""Who may open which waitlist entry and offer: a patient only their own. Someone else's (or
one that does not exist) is a 404, never a hint that it exists."""

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from clinic.models import WaitlistEntry, WaitlistOffer


def access_waitlist_entry(*, user: User, pk: int) -> WaitlistEntry:
    entry = (
        WaitlistEntry.objects.select_related("dentist", "type")
        .filter(pk=pk, patient=user, state=WaitlistEntry.State.WAITING)
        .first()
    )
    if entry is None:
        raise Http404(_("No such waitlist entry."))
    return entry


def access_waitlist_offer(*, user: User, pk: int) -> WaitlistOffer:
    offer = (
        WaitlistOffer.objects.select_related("entry__dentist", "entry__type", "slot", "appointment")
        .filter(pk=pk, patient=user)
        .first()
    )
    if offer is None:
        raise Http404(_("No such offer."))
    return offer
