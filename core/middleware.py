from django.conf import settings


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: everything from this site, nothing from elsewhere.

    Views that may be framed (the embeddable registration form) set
    ``response.frame_ancestors`` to the allowed origins; every other page refuses framing.
    A page that shows images of another origin (the map's tiles) lists it in
    ``response.image_origins``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
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
