from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for projects")

    def ready(self) -> None:
        from calls import emails_apply, emails_decide, emails_jury, hooks

        emails_apply.register()
        emails_decide.register()
        emails_jury.register()
        hooks.register()
