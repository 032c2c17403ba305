from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts import throttle


@receiver(user_login_failed, dispatch_uid="accounts.throttle.failure")
def count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        throttle.failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="accounts.throttle.success")
def clear_failures(sender, request, user, **kwargs):
    if request is not None:
        throttle.success(request, user.get_username())
