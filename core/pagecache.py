"""Whole-page caching for anonymous visitors of pages that carry a CSRF token.

A busy public page (the registration form during a surge) is the same HTML for every
anonymous visitor but for its CSRF token. It is rendered once with a placeholder in place
of the token and kept in the cache; each request gets its own token put in. Pages with
something personal (a signed-in user, a flash message, a form with errors) are never
cached: callers only use this for GET requests of anonymous visitors.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

CSRF_PLACEHOLDER = "__ptce_csrf_token__"


def cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
    )


def anonymous_page(
    request, *, key: tuple, render: Callable[[dict], HttpResponse], timeout: int = 300
) -> HttpResponse:
    """The page rendered by ``render(extra_context)``, from the cache when possible.

    ``key`` must name everything the page depends on besides the language and the path
    (which are added here).
    """
    if not cacheable(request):
        return render({})
    cache_key = "page:" + ":".join(
        str(part) for part in (*key, translation.get_language(), request.get_full_path())
    )
    html = cache.get(cache_key)
    if html is None:
        response = render({"csrf_token": CSRF_PLACEHOLDER})
        if response.status_code != 200:
            return response
        html = response.content.decode()
        cache.set(cache_key, html, timeout)
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    response["Cache-Control"] = "private, no-cache"
    return response
