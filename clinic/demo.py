from tenants.models import Tenant


def demo_seed(*, tenant: Tenant) -> None:
    """Demo dentists hours, chairs and appointments for the demo clinic (filled in by the school app)."""
