from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages that show several apps at once (the home page, the account space).

    The top of the dependency graph: it asks each app's selectors for its panel, and no
    app imports it."""

    name = "portal"
    verbose_name = _("Portal")
