from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import throttle
from accounts.selectors import account_username


class ThrottledModelBackend(ModelBackend):
    """Django's backend, which refuses every password while the account or the address
    is locked — whichever form or view asks (the sign-in forms say why before this).
    The username may be typed in any case, or be the account's e-mail address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = account_username(username)
        if request is not None and throttle.locked_for(request, username):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
