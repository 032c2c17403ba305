from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charter of the PTCE collective approach")

    def ready(self) -> None:
        from django.urls import reverse

        from charter import emails, hooks
        from events.hooks import ManageLink, manage_links

        emails.register()
        hooks.register()
        manage_links.register(
            ManageLink(
                _("Charter signing in the room"),
                lambda event: reverse("charter_manage:ceremony", args=[event.slug]),
                key="ceremony",
                order=50,
            )
        )
