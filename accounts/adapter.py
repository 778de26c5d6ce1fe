from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by a tenant's staff or by onboarding, never by strangers.
        return False

    def logout(self, request: HttpRequest) -> None:
        from realtime.sessions import session_ended

        user = request.user
        session_key = request.session.session_key
        super().logout(request)
        if user.is_authenticated and session_key:
            # Sockets opened with this session re-check it and close (4401).
            session_ended(user_id=user.pk, session_key=session_key)
