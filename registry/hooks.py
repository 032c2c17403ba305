"""What apps above the registry add to its pages, without the registry importing them.

``pole_facts``: functions (pole) -> list of {"label": str, "value": str, "url": str}
shown on the pole's page (e.g. the charter: signed, which version, when).
"""

pole_facts = []


def facts_for(pole) -> list[dict]:
    return [fact for provider in pole_facts for fact in provider(pole)]
