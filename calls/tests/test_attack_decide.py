"""Security audit PoCs (wt-attack): ``test_bug_*`` FAIL on the audited code."""

import pytest

from calls.services import decisions
from calls.tests import jury_helpers as h
from core.errors import DomainError


@pytest.mark.parametrize("typed", ["1e30", "9e999999"])
def test_bug_decision_amount_with_a_big_exponent_is_a_500(call, user, typed):
    """POST /gestion/appels/<slug>/decisions/<id>/ with d<id>-amount=1e30 (4 characters,
    within the form's max_length=20): ``_amount`` quantizes outside its try, and
    ``decimal.InvalidOperation`` escapes as a 500 (seen on gunicorn, DEBUG off). It should be
    the field's error, as the applying part's ``parse_amount`` does (it bounds first)."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c)
    with pytest.raises(DomainError):
        decisions.decision_record(
            application=file, outcome="laureate", amount=typed, reason="motif", actor=manager
        )


def test_bug_decision_amount_with_three_decimals_is_silently_rounded(call, user):
    """The applying part refuses « 1234,567 » (two decimals at most); the decision rounds it
    to 1234.57 without a word: the amount recorded is not the amount typed."""
    c = call()
    manager = user("gestion")
    c.managers.add(manager)
    file = h.submitted(c)
    with pytest.raises(DomainError):
        decisions.decision_record(
            application=file, outcome="laureate", amount="1234,567", reason="motif", actor=manager
        )
