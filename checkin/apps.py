from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Door check-in")

    def ready(self) -> None:
        from checkin import documents
        from checkin.views.public import certificate_url
        from events.hooks import (
            ManageLink,
            PersonalLink,
            register_manage_link,
            register_personal_link,
        )

        register_manage_link(
            ManageLink(
                label=_("Door"),
                url=lambda event: reverse("checkin_manage:door", args=[event.slug]),
            )
        )
        register_personal_link(
            PersonalLink(label=_("My attendance certificate (PDF)"), url=certificate_url)
        )
        documents.register()
