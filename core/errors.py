"""Domain errors: a stable machine-readable code, an HTTP status and a translated message.

Each app declares its codes once, in its own ``errors.py``::

    from core.errors import ErrorCatalogue
    from django.utils.translation import gettext_lazy as _

    codes = ErrorCatalogue("events")
    EVENT_FULL = codes.declare("event_full", _("This event is full."), status=409)

and its services raise them::

    raise DomainError(errors.EVENT_FULL)
    raise DomainError(errors.INVALID_FIELD, exc.messages[0], field="email")
    raise DomainError(errors.NOT_TODAY, day=long_date(event.starts_at))  # message % params

A code is ``<app>.<name>``: ``events.link_invalid`` and ``checkin.link_invalid`` are two
things. Codes are never built at run time (a fixed code plus ``field`` instead). Every
declared code is in ``REGISTRY``; ``core/tests/test_errors.py`` checks that each one is
unique, has a French message and is raised somewhere.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

REGISTRY: dict[str, "ErrorCode"] = {}


class ErrorCode:
    """One declared error: its code, its message (lazy, translated) and its HTTP status."""

    __slots__ = ("code", "message", "status")

    def __init__(self, code: str, message: str | Promise, status: int = 400):
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"<ErrorCode {self.code} {self.status}>"


class ErrorCatalogue:
    """The codes of one app, all prefixed with the app's label."""

    def __init__(self, app: str):
        self.app = app

    def declare(self, name: str, message: str | Promise, *, status: int = 400) -> ErrorCode:
        code = f"{self.app}.{name}"
        if code in REGISTRY:
            raise ImproperlyConfigured(f"error code {code} declared twice")
        error = ErrorCode(code, message, status)
        REGISTRY[code] = error
        return error


class DomainError(Exception):
    """Raised by services. Views turn it into a form error or a JSON error.

    ``error`` is a declared ``ErrorCode``; ``message`` replaces its message when the
    service has a more precise one (a validator's message, for instance); ``params``
    fill the message's ``%(name)s`` placeholders (``%(field)s`` is the field). ``code`` is
    stable (tests and API clients rely on it); ``message`` is for people.
    """

    def __init__(
        self,
        error: ErrorCode,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        status: int | None = None,
        **params,
    ):
        # only the declared message is a template for ``field``; a more precise message is
        # kept as given (a validator's may quote what was typed, « %(x)s » included)
        declared = message is None
        if not isinstance(error, ErrorCode):
            raise TypeError(f"DomainError takes a declared ErrorCode, not {error!r}")
        self.error = error
        self.code = error.code
        self.status = status or error.status
        if message is None:
            message = error.message
        if params or (declared and field and "%(field)s" in str(message)):
            message = str(message) % {"field": field, **params}
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def error_response(error: "DomainError | ErrorCode", *, status: int | None = None, **extra):
    """A JSON response carrying ``error`` in the one envelope of every API,
    ``{"error": {"code", "message", "field"}}``; ``extra`` adds top-level keys (the door
    API's ``version``, for instance)."""
    from django.http import JsonResponse

    if isinstance(error, ErrorCode):
        error = DomainError(error)
    body = {"code": error.code, "message": str(error.message)}
    if error.field:
        body["field"] = error.field
    payload = {**extra, "error": body}
    return JsonResponse(
        payload, status=status or error.status, json_dumps_params={"ensure_ascii": False}
    )


# --- the errors core answers itself: a JSON API's 403, 404 and 405 (JsonApiErrorsMiddleware)

codes = ErrorCatalogue("core")


def _declare_core():
    from django.utils.translation import gettext_lazy as _

    return (
        codes.declare("forbidden", _("This request is refused."), status=403),
        codes.declare("not_found", _("Nothing answers at this address."), status=404),
        codes.declare(
            "method_not_allowed", _("This address does not take this method."), status=405
        ),
    )


FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED = _declare_core()
