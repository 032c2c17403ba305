from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charter of the PTCE collective approach")

    def ready(self) -> None:
        from charter import emails, hooks

        emails.register()
        hooks.register()
