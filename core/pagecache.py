"""Whole-page caching for anonymous visitors of pages that carry a CSRF token.

A busy public page (the registration form during a surge) is the same HTML for every
anonymous visitor but for its CSRF token. It is rendered once with a placeholder in place
of the token and kept in the cache; each request gets its own token put in. Pages with
something personal (a signed-in user, a flash message) or with a query string are never
cached, and POST requests never are.
"""

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

CSRF_PLACEHOLDER = "__ptce_csrf_token__"


def cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
        and len(get_messages(request)) == 0  # counts without consuming them
    )


def anonymous_page(
    request, *, key: tuple, render: Callable[[dict], HttpResponse], timeout: int = 300
) -> HttpResponse:
    """The page rendered by ``render(extra_context)``, from the cache when possible.

    ``key`` must name everything the page depends on besides the scheme, host, path and
    language (which are added here).
    """
    if not cacheable(request):
        return render({})
    parts = (
        *key,
        request.scheme,
        request.get_host(),
        request.path,
        translation.get_language(),
    )
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    cache_key = f"page:{digest}"
    html = cache.get(cache_key)
    if html is None:
        response = render({"csrf_token": CSRF_PLACEHOLDER, "messages": ()})
        if response.status_code != 200:
            return response
        html = response.content.decode()
        cache.set(cache_key, html, timeout)
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    response["Cache-Control"] = "private, no-cache"
    return response
