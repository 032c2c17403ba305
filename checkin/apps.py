from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Door check-in")

    def ready(self) -> None:
        from events.hooks import ManageLink, register_manage_link

        register_manage_link(
            ManageLink(
                label=_("Door"),
                url=lambda event: reverse("checkin_manage:door", args=[event.slug]),
            )
        )
