"""What the calls add to the registry's pages and open data (through its slots)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def pole_call_facts(pole) -> list[dict]:
    """« Lauréat : <call> (année) », « Candidat : <call> » (the year only when the title
    does not hold it already): only for calls whose results
    are public (never while the committee is deciding)."""
    from calls.models import Decision
    from calls.selectors_decide import pole_calls

    facts = []
    for application in pole_calls(pole):
        call = application.call
        decision = getattr(application, "decision", None)
        url = reverse("calls:laureates", args=[call.slug])
        if decision is not None and decision.outcome == Decision.Outcome.LAUREATE:
            facts.append(
                {
                    "label": _("Call for projects"),
                    "value": (
                        _("Laureate: %(call)s") % {"call": call.title}
                        if str(call.opens_at.year) in call.title
                        else _("Laureate: %(call)s (%(year)s)")
                        % {"call": call.title, "year": call.opens_at.year}
                    ),
                    "url": url,
                }
            )
        else:
            facts.append(
                {
                    "label": _("Call for projects"),
                    "value": _("Applicant: %(call)s") % {"call": call.title},
                    "url": url,
                }
            )
    return facts


def register() -> None:
    from registry import hooks

    hooks.pole_facts.register(hooks.PoleFacts(key="calls", facts=pole_call_facts))
    from calls import opendata

    hooks.data_resources.register(
        hooks.DataResource(
            key=opendata.RESOURCE_NAME,
            descriptor=opendata.datapackage_resource,
            csv=lambda: [opendata.awards_csv()],
        )
    )
