from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import translation

from accounts import services, throttle


@receiver(user_login_failed, dispatch_uid="accounts.throttle.failure")
def count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        throttle.failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="accounts.throttle.success")
def clear_failures(sender, request, user, **kwargs):
    if request is not None:
        throttle.success(request, user.get_username())


@receiver(user_logged_in, dispatch_uid="accounts.language.first")
def keep_language(sender, request, user, **kwargs):
    """An account without a language takes the one active when it signs in."""
    if request is not None and not getattr(user, "language", ""):
        language = getattr(request, "LANGUAGE_CODE", "") or translation.get_language()
        services.user_language_set(user=user, language=language, only_if_empty=True)
