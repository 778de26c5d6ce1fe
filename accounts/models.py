from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import pgettext_lazy

from accounts.roles import STAFF_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.OPERATOR)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person of one tenant (rows live in that tenant's schema), or an operator (public)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language the user reads (pages, notifications, e-mails); blank: the tenant's default
    # (accounts.language.language_for).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    # When the last invitation (a set-password link) was e-mailed; null: never invited (the
    # demo's users, operators). Whether it was used is has_usable_password (see status).
    invited_at = models.DateTimeField(null=True, blank=True)
    # Raised by "sign out everywhere": it is part of the session hash, so every session
    # signed before it stops being valid (Django checks the hash on each request).
    sessions_epoch = models.PositiveIntegerField(default=0)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_tenant_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def status(self) -> "PersonStatus":
        if not self.is_active:
            return PersonStatus.DEACTIVATED
        if not self.has_usable_password():
            return PersonStatus.INVITED
        return PersonStatus.ACTIVE

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers the password only; the epoch lets every session end without
        # a password change. Epoch 0 keeps Django's own value, so no session ends on upgrade.
        if not self.sessions_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "aviso.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.sessions_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class PersonStatus(models.TextChoices):
    """Where a person stands, derived from the user row (User.status), never stored."""

    INVITED = "invited", pgettext_lazy("person status", "Invited")
    ACTIVE = "active", pgettext_lazy("person status", "Active")
    DEACTIVATED = "deactivated", pgettext_lazy("person status", "Deactivated")
