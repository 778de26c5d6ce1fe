"""Logging filters named by the LOGGING setting."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a refused request (PermissionDenied → 403, SuspiciousOperation → 400) with
    the exception's traceback, which reads like a server failure in the log and hides the
    real ones. Keep the line, drop the traceback, for answers below 500."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
