from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Door check-in")

    def ready(self) -> None:
        from checkin import documents, selectors
        from checkin.views.public import certificate_url
        from events import hooks
        from events.hooks import ManageLink, PersonalLink, ReminderExclusion

        # people already let in need no reminder
        hooks.reminder_exclusions.register(
            ReminderExclusion(
                "checkin.admitted",
                lambda event: selectors.admitted_registration_ids(event=event),
            )
        )

        def door(anchor=""):
            return lambda event: reverse("checkin_manage:door", args=[event.slug]) + anchor

        for link in (
            ManageLink(_("Entrance control"), door(), key="door", order=40),
            ManageLink(_("Devices and door staff"), door("#devices"), key="devices", parent="door"),
            ManageLink(
                _("Scanning page"),
                lambda event: reverse("checkin:scanner", args=[event.slug]),
                key="scanner",
                parent="door",
            ),
            ManageLink(
                _("Room projection"),
                lambda event: reverse("checkin_manage:projection", args=[event.slug]),
                key="projection",
                parent="door",
            ),
            ManageLink(
                _("Badges"),
                lambda event: (
                    reverse("events_manage:documents", args=[event.slug]) + "#document-badges_a6"
                ),
                key="badges",
                parent="door",
            ),
        ):
            hooks.manage_links.register(link)
        hooks.personal_links.register(
            PersonalLink(
                key="checkin.certificate",
                label=_("My attendance certificate (PDF)"),
                url=certificate_url,
            )
        )
        documents.register()
