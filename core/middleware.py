from django.conf import settings
from django.utils.cache import add_never_cache_headers

from core import errors

# Browser features no page of ptce uses: refused to the page and to anything it frames.
# Only the door's scanning page uses the camera (it sets ``response.camera_allowed``).
PERMISSIONS_POLICY = (
    "accelerometer=()",
    "autoplay=()",
    "browsing-topics=()",
    "display-capture=()",
    "geolocation=()",
    "gyroscope=()",
    "magnetometer=()",
    "microphone=()",
    "midi=()",
    "payment=()",
    "usb=()",
)


def permissions_policy(*, camera: bool) -> str:
    return ", ".join(["camera=(self)" if camera else "camera=()", *PERMISSIONS_POLICY])


def holds_private_data(path: str) -> bool:
    """Organiser pages, the account space and the other private areas
    (settings.PTCE_NO_STORE_PATHS): never kept by a browser's or a proxy's cache."""
    return path.startswith(tuple(settings.PTCE_NO_STORE_PATHS))


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: everything from this site, nothing from elsewhere.

    Views that may be framed (the embeddable registration form) set
    ``response.frame_ancestors`` to the allowed origins; every other page refuses framing.
    A page that shows images of another origin (the map's tiles) lists it in
    ``response.image_origins``.

    Also a Permissions-Policy on every response (the camera only where a view sets
    ``response.camera_allowed``), and ``Cache-Control: no-store`` on every page of the
    private areas (organiser pages, account space).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Permissions-Policy"] = permissions_policy(
            camera=getattr(response, "camera_allowed", False)
        )
        if holds_private_data(request.path_info) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            add_never_cache_headers(response)
        if "Content-Security-Policy" in response:
            return response
        ancestors = getattr(response, "frame_ancestors", None)
        frame = " ".join(["'self'", *ancestors]) if ancestors else "'none'"
        directives = [
            "default-src 'self'",
            " ".join(["img-src 'self' data:", *getattr(response, "image_origins", ())]),
            "style-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame}",
        ]
        if settings.DEBUG or request.path.startswith("/admin/"):
            # the admin's and the debug pages' inline styles
            directives[2] = "style-src 'self' 'unsafe-inline'"
        response["Content-Security-Policy"] = "; ".join(directives)
        return response


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FormCharsetMiddleware:
    """A form body declared in another charset than UTF-8 is refused (400) before any
    view or middleware reads it: Django could not decode it anyway, and would raise again
    each time something reads ``request.POST``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.split(";", 1)[0].strip().lower() in FORM_CONTENT_TYPES:
            charset = request.encoding
            if charset is not None and charset.strip().lower() != "utf-8":
                from core.handlers import bad_request

                return bad_request(request, None)
        return self.get_response(request)


class HeadAsGetMiddleware:
    """HEAD is answered wherever GET is (a view that allows only GET and POST used to
    answer 405): the view runs as for GET, and the body is dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if response.streaming:
            # (the server closes the response, and its files, when it is sent)
            response.streaming_content = []
        else:
            response.content = b""
        return response


class AdminQueryMiddleware:
    """The admin's list filters, searches and autocompletes never carry a NUL or another
    control or invisible character to the database (PostgreSQL refuses a NUL in a string:
    ``?q=%00`` or ``?status__exact=%00`` answered 500 on every changelist). Such
    characters are dropped from the query string, as ``clean_query`` does for our own
    search boxes; any other query string is left as it is."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            from django.urls import NoReverseMatch, reverse

            try:
                self.prefix = reverse("admin:index")
            except NoReverseMatch:  # a site (or a test's URLconf) without the admin
                self.prefix = "/admin/"
        if request.path.startswith(self.prefix):
            if request.GET:
                request.GET = _dates_in_range(_cleaned_query(request.GET))
            if request.method == "POST" and "_selected_action" in request.POST:
                # the rows an action applies to: ids, or nothing (« abc » made a 500)
                from core.input import parse_id

                post = request.POST.copy()
                post.setlist(
                    "_selected_action",
                    [v for v in post.getlist("_selected_action") if parse_id(v) is not None],
                )
                request.POST = post
        return self.get_response(request)


_DATE_PARTS = {"__year": (1, 9999), "__month": (1, 12), "__day": (1, 31)}


def _dates_in_range(params):
    """A date filter of the admin (``?created_at__year=99999``) outside the calendar is
    dropped: Django's ``year_lookup_bounds`` raises on it (a 500)."""
    from core.input import parse_int

    def wrong(key, value):
        for suffix, (low, high) in _DATE_PARTS.items():
            if key.endswith(suffix):
                return parse_int(value, minimum=low, maximum=high) is None
        return False

    if not any(wrong(k, v) for k, vs in params.lists() for v in vs):
        return params
    kept = params.copy()
    for key in list(kept.keys()):
        if any(wrong(key, v) for v in kept.getlist(key)):
            del kept[key]
    kept._mutable = False
    return kept


ADMIN_QUERY_MAX = 500


def _cleaned_query(params):
    from django.http import QueryDict

    from core.input import clean_query, invisible_characters

    def dirty(text):
        # a control character PostgreSQL refuses, or a search longer than any name (SQLite
        # refuses a LIKE pattern over 50,000 bytes)
        return len(text) > ADMIN_QUERY_MAX or bool(invisible_characters(text))

    if not any(dirty(k) or any(dirty(v) for v in vs) for k, vs in params.lists()):
        return params
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        key = clean_query(key, max_length=200) if dirty(key) else key
        cleaned.setlist(
            key, [clean_query(v, max_length=ADMIN_QUERY_MAX) if dirty(v) else v for v in values]
        )
    cleaned._mutable = False
    return cleaned


def is_json_api(path: str) -> bool:
    """The addresses that answer JSON to programs (the door's API, the map's points, the
    charter's projection and register): their errors come in the JSON envelope too."""
    return path.startswith("/api/") or path.endswith(".json")


class JsonApiErrorsMiddleware:
    """A JSON API never answers an HTML page: Django's own 403 (CSRF), 404 and 405 become
    the one error envelope (core.errors) there, in the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = {
            403: errors.FORBIDDEN,
            404: errors.NOT_FOUND,
            405: errors.METHOD_NOT_ALLOWED,
        }.get(response.status_code)
        if (
            error is None
            or not is_json_api(request.path_info)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = errors.error_response(error)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        if response.has_header("Vary"):
            answer["Vary"] = response["Vary"]
        return answer
