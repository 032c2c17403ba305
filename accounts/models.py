from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: organisers, door staff, pole managers, jurors.

    Attendees need no account: their personal link is enough.
    """

    email = models.EmailField(_("email address"), blank=True)
    # the language of the emails sent to this account: the last one chosen while signed
    # in, else the one active at the first sign-in; empty, the site's (``language_of``)
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
