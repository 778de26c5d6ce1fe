from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request is well formed but the record's state forbids it (HTTP 409): paying a paid
    invoice, publishing a published grade."""
