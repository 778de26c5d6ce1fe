"""Refusals the pages turn into clear messages. All are ValidationErrors (HTTP 400); the
conflict kinds clash with what is already booked or with the appointment's state (HTTP 409)."""

from django.core.exceptions import ValidationError


class ClinicConflict(ValidationError):
    """The request is valid on its own but clashes with the current state."""


class SlotTaken(ClinicConflict):
    pass


class TransitionRefused(ClinicConflict):
    pass


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class OfferTaken(SlotTaken):
    """Another waiting patient accepted the freed time first (or it was booked otherwise)."""
