"""Error pages (config/urls.py: handler400, handler403, handler404, handler500).

Unlike Django's own, these never run the CSRF check, so they never read the request's
body: a body that could not be read (an unknown charset, too large) made Django's
handlers fail again, and the visitor got a bare server error instead of a page.
"""

import logging

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

FALLBACK = (
    "<!doctype html><html lang=fr><meta charset=utf-8><title>{title}</title>"
    "<h1>{title}</h1><p><a href=/>Retour à l’accueil</a></p></html>"
)


def _page(request, template: str, status: int, title: str) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except Exception:  # the page itself failed (database down…): a plain one
        logger.exception("error page %s could not be rendered", template)
        return HttpResponse(FALLBACK.format(title=title), status=status)


def bad_request(request, exception=None, template_name="400.html"):
    return _page(request, template_name, 400, "Demande invalide")


def permission_denied(request, exception=None, template_name="403.html"):
    return _page(request, template_name, 403, "Accès refusé")


def page_not_found(request, exception=None, template_name="404.html"):
    return _page(request, template_name, 404, "Page introuvable")


def server_error(request, template_name="500.html"):
    """Static HTML: nothing that could fail a second time (no database, no context)."""
    try:
        body = loader.get_template(template_name).render()
    except Exception:
        logger.exception("error page %s could not be rendered", template_name)
        body = FALLBACK.format(title="Erreur du serveur")
    return HttpResponse(body, status=500)
