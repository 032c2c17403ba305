"""The tasks backend of the demo and the tests: in the web process, after the response.

Django's ``ImmediateBackend`` runs a task the moment it is enqueued — inside the request
when the enqueue happens there (``transaction.on_commit`` of a service). A page would then
answer more slowly when it sends an email (a confirmation and its PDF ticket) than when it
does not, and its timing would tell what the page is careful not to say (whether an
address is already registered).

``AfterResponseBackend`` runs the same tasks the same way, but a task enqueued while a
request is being answered (inside ``TasksAfterResponseMiddleware``) waits until the
response has gone: the WSGI server closes the response once its last byte is written,
Django then sends ``request_finished``, and the tasks run. Anywhere else (management
commands, the shell, a task enqueuing another) a task runs at once, as with
``ImmediateBackend``.

Production keeps its own worker (``TASKS_BACKEND=database``, ``manage.py db_worker``).
"""

from __future__ import annotations

import contextvars
import logging

from django.core.signals import request_finished
from django_tasks.backends.immediate import ImmediateBackend

logger = logging.getLogger(__name__)

# Tasks enqueued while the current request is being answered (None: not answering one).
_collecting: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "ptce_tasks_collecting", default=None
)
# Tasks of answered requests, waiting for their response to be closed.
_after_response: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "ptce_tasks_after_response", default=None
)


class AfterResponseBackend(ImmediateBackend):
    def _execute_task(self, task_result) -> None:
        collecting = _collecting.get()
        if collecting is None:
            super()._execute_task(task_result)
        else:
            collecting.append((self, task_result))


def _run(pending: list) -> None:
    while pending:
        backend, task_result = pending.pop(0)
        try:
            ImmediateBackend._execute_task(backend, task_result)
        except Exception:  # one failing task must not stop the others
            logger.exception("Task %s failed after the response", task_result.task.name)


def run_pending() -> None:
    """Run the tasks of the requests answered in this thread (on ``request_finished``)."""
    pending = _after_response.get()
    if pending:
        _after_response.set(None)
        _run(pending)


def _on_request_finished(**kwargs) -> None:
    run_pending()


request_finished.connect(_on_request_finished, dispatch_uid="ptce.tasks_after_response")


class TasksAfterResponseMiddleware:
    """Outermost middleware: what the request enqueues runs once its response has gone.

    Harmless with any other backend (only ``AfterResponseBackend`` collects).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Tasks of an earlier request whose response was never closed: run them first
        # rather than lose them.
        run_pending()
        collected: list = []
        token = _collecting.set(collected)
        try:
            return self.get_response(request)
        finally:
            _collecting.reset(token)
            if collected:
                _after_response.set([*(_after_response.get() or []), *collected])
