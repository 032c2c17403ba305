"""Domain errors: a stable machine-readable code and a translated message."""

from django.utils.functional import Promise


class DomainError(Exception):
    """Raised by services. Views turn it into a form error or a JSON error.

    ``code`` is stable (tests and API clients rely on it); ``message`` is for people.
    """

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
