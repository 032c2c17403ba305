"""What the charter adds to other apps' pages (through their hooks)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dates import long_date


def pole_charter_facts(pole) -> list[dict]:
    from charter.selectors import latest_pole_signature

    signature = latest_pole_signature(pole)
    if signature is None:
        # the 2014 signatures on paper are not in the register: « not signed » could be false
        return [
            {
                "label": _("PTCE charter"),
                "value": _("no signature in this platform’s register yet"),
                "url": reverse("charter:home"),
            }
        ]
    if signature.is_withdrawn:
        value = _("signed version %(version)s, then withdrawn on %(date)s") % {
            "version": signature.version.number,
            "date": long_date(signature.withdrawn_at),
        }
    else:
        value = _("signed version %(version)s on %(date)s") % {
            "version": signature.version.number,
            "date": long_date(signature.signed_at),
        }
    return [
        {
            "label": _("PTCE charter"),
            "value": value,
            "url": reverse("charter:signature", args=[signature.pk]),
        }
    ]


def pole_charter_attestations(pole) -> dict:
    """``charter.signed``: the pole's latest signature is in force (False: it was
    withdrawn; None: no signature in this register, where the 2014 paper signatures are
    not, so « not signed » could be false); ``charter.version``: the version it signed."""
    from charter.selectors import latest_pole_signature

    signature = latest_pole_signature(pole)
    if signature is None:
        return {"charter.signed": None, "charter.version": None}
    return {
        "charter.signed": not signature.is_withdrawn,
        "charter.version": signature.version.number,
    }


def register() -> None:
    from registry import hooks

    hooks.pole_facts.register(hooks.PoleFacts(key="charter", facts=pole_charter_facts))
    hooks.pole_attestations.register(
        hooks.PoleAttestations(key="charter", attestations=pole_charter_attestations)
    )
