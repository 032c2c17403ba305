"""An upload handler that stops reading a request body past a limit (the call's largest
file), instead of letting Django read hundreds of megabytes before any check. It goes
first among the request's handlers, before the body is parsed (so before the CSRF check:
the views using it are ``csrf_exempt`` outside and ``csrf_protect`` inside).

The front server must still cap the body (nginx ``client_max_body_size``): see README."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# room for the form's other fields (CSRF token, question id) around the file
FIELDS_ROOM = 64 * 1024


def upload_cap(limit: int | None = None) -> int:
    """The limit in bytes: the given one (a call's ``max_file_size``), never above the
    global cap ``CALLS_MAX_UPLOAD_BYTES``."""
    from calls.services.calls import MAX_FILE_SIZE

    cap = int(getattr(settings, "CALLS_MAX_UPLOAD_BYTES", MAX_FILE_SIZE))
    return cap if limit is None else min(int(limit), cap)


class CappedUploadHandler(FileUploadHandler):
    """Stops the upload (without reading the rest of the body) once a file passes
    ``limit`` bytes, or at its first byte when the announced body is already too large;
    ``request.upload_too_large`` then tells the view."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > self.limit + FIELDS_ROOM
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.too_large:
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _stop(self):
        self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)


def cap_uploads(request, limit: int) -> None:
    """Put the capped handler first, before anything reads ``request.POST``/``FILES``."""
    request.upload_too_large = False
    request.upload_handlers.insert(0, CappedUploadHandler(request, limit))
