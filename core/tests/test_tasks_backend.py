"""Tasks of the demo and the tests run in the web process, after the response has gone."""

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import path
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResultStatus

from core.tasks_backend import AfterResponseBackend

ran: list[str] = []


@task()
def note(name: str) -> str:
    ran.append(name)
    return name


@task()
def note_then_enqueue(name: str) -> None:
    ran.append(name)
    note.enqueue(name=name + ", then")


@task()
def fail() -> None:
    raise RuntimeError("this task fails")


def enqueue_view(request):
    result = note.enqueue(name=request.GET.get("name", "view"))
    # what the view can see of its task while the response is being built
    return HttpResponse(f"{result.status}|{','.join(ran)}")


def enqueue_many_view(request):
    fail.enqueue()
    note_then_enqueue.enqueue(name="second")
    return HttpResponse(",".join(ran))


def streaming_view(request):
    note.enqueue(name="streamed")
    return StreamingHttpResponse(iter(["a", "b"]))


urlpatterns = [
    path("enqueue/", enqueue_view),
    path("enqueue-many/", enqueue_many_view),
    path("stream/", streaming_view),
]


@pytest.fixture(autouse=True)
def after_response(settings):
    settings.ROOT_URLCONF = __name__
    settings.TASKS = {"default": {"BACKEND": "core.tasks_backend.AfterResponseBackend"}}
    ran.clear()
    yield
    ran.clear()


def test_the_demo_and_the_tests_run_tasks_after_the_response():
    from django.conf import settings as project

    from config import settings as configured

    assert configured.TASKS["default"]["BACKEND"] == "core.tasks_backend.AfterResponseBackend"
    assert project.MIDDLEWARE[0] == "core.tasks_backend.TasksAfterResponseMiddleware"
    assert issubclass(AfterResponseBackend, ImmediateBackend)


def test_outside_a_request_a_task_runs_at_once():
    result = note.enqueue(name="shell")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert ran == ["shell"]


def test_a_task_enqueued_by_a_request_runs_after_its_response():
    response = Client().get("/enqueue/")
    # while the response was built, the task was waiting and had not run
    assert response.content.decode() == f"{TaskResultStatus.READY}|"
    # once the response was closed (as a WSGI server does after the last byte), it ran
    assert ran == ["view"]


def test_after_the_response_every_task_runs_even_after_a_failure():
    response = Client().get("/enqueue-many/")
    assert response.content.decode() == ""
    # the failing task is recorded as failed, the next one runs, and so does the task it
    # enqueued itself
    assert ran == ["second", "second, then"]


def test_tasks_of_a_response_never_closed_run_at_the_next_request():
    client = Client()
    client.get("/stream/")  # its content is never read, so never closed
    assert ran == []
    client.get("/enqueue/?name=next")
    assert ran == ["streamed", "next"]
    note.enqueue(name="shell")  # and outside a request, at once again
    assert ran == ["streamed", "next", "shell"]
