from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.demo import (
    DEMO_PASSWORD,
    DEMO_TENANTS,
    OPERATOR_EMAIL,
    demo_operator_ensure,
    demo_tenant_ensure,
)


class Command(BaseCommand):
    help = "Create (or top up) the demo school and clinic with a user per role, and print logins."

    def handle(self, *args: Any, **options: Any) -> None:
        port = f":{settings.AVISO_PUBLIC_PORT}" if settings.AVISO_PUBLIC_PORT else ""
        scheme = settings.AVISO_URL_SCHEME
        demo_operator_ensure()
        self.stdout.write(f"\nOperators' console  {scheme}://{settings.AVISO_PUBLIC_DOMAIN}{port}/")
        self.stdout.write(f"    {OPERATOR_EMAIL:<34} operator")
        for demo in DEMO_TENANTS:
            demo_tenant_ensure(demo)
            self.stdout.write(f"\n{demo.name:<20} {scheme}://{demo.domain}{port}/")
            for email, role, _ in demo.users:
                self.stdout.write(f"    {email:<34} {role}")
        self.stdout.write(f"\nEvery demo password: {DEMO_PASSWORD}\n")
