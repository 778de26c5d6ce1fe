"""Every write of the clinic app. Appointments (booking and each change of state), their
message threads and the reminder run each have their own module; import from the module that
owns the function. Call inside the tenant's schema (request or tenant_context).

Every change and its notifications commit together (realtime.services.notify); live schedule
updates leave only after commit (topic_publish_on_commit). The database refuses double
booking itself; the Python checks before it only give nicer messages. Who may take which
action in which state is clinic.states."""
