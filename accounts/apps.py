from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The sign-in receiver (a language picked on the sign-in page is kept).
        from accounts import language  # noqa: F401
