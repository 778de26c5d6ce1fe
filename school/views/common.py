from django.core.exceptions import ValidationError

from school.errors import Conflict


def error_status(exc: ValidationError) -> int:
    """409 when the record's state forbids the request, 400 when the input is wrong."""
    return 409 if isinstance(exc, Conflict) else 400
