from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operators' console on the public site: tenants, onboarding, live monitoring."""

    name = "console"
    verbose_name = "Operators' console"
