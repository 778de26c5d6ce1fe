from tenants.models import Tenant


def demo_seed(*, tenant: Tenant) -> None:
    """Demo courses, grades and invoices for the demo school (filled in by the school app)."""
