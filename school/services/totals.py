"""The administrators' overview totals are live: every write that moves what the school is
owed (an invoice issued or cancelled, a payment, invoices falling overdue) pings the totals
topic after it commits, and open overview pages re-read the totals as the server computes them
(school.selectors.admin_totals). Students and guardians need no ping: the same writes already
notify them, and their overview re-reads on those notifications."""

from realtime.topics import topic_publish_on_commit
from school.payloads import TOTALS_ID, TOTALS_TOPIC


def totals_changed() -> None:
    """Call inside the writing transaction (sent once it commits, never if it rolls back)."""
    topic_publish_on_commit(
        topic=TOTALS_TOPIC, object_id=TOTALS_ID, event={"type": "totals.changed"}
    )
