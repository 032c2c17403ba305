from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: organisers, door staff, pole managers, jurors.

    Attendees need no account: their personal link is enough.
    """

    email = models.EmailField(_("email address"), blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
