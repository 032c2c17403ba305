"""Views that misbehave on purpose, to check that the fuzz test's sender sees them
(core/tests/test_fuzz.py::test_the_sender_sees_5xx_and_half_written_requests)."""

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from core.audit import audit


def crash(request):
    int(request.GET.get("n", "²"))  # the bug the fuzz test must see
    return HttpResponse("ok")


def half_written(request):
    audit("fuzz.selfcheck", scope="fuzz")
    return HttpResponse("refused", status=400)


def accepted(request):
    audit("fuzz.selfcheck", scope="fuzz")
    return HttpResponse("saved")


def stream_crash(request):
    def chunks():
        yield b"a;b\n"
        raise ValueError("broken in the middle of the file")

    return StreamingHttpResponse(chunks(), content_type="text/csv")


urlpatterns = [
    path("crash/", crash),
    path("half-written/", half_written),
    path("accepted/", accepted),
    path("stream/", stream_crash),
]
