"""The calls' public pages: the list, a call's page (countdown, specifications, FAQ,
documents), its laureates."""

from django.http import FileResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

from calls import permissions, selectors_apply, selectors_setup

# CommonMark without raw HTML, as the charter: the text is shown safely, whoever typed it.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> str:
    return mark_safe(MARKDOWN.render(text or ""))  # noqa: S308 - html disabled: escaped


@require_GET
def call_list(request):
    groups = selectors_setup.call_list_public()
    for group in groups.values():
        for call in group:
            call.dates_line = selectors_setup.dates_line(call)
    return render(
        request,
        "calls/public/list.html",
        {
            "open_calls": groups[selectors_setup.OPEN],
            "upcoming_calls": groups[selectors_setup.UPCOMING],
            "closed_calls": groups[selectors_setup.CLOSED],
        },
    )


@require_GET
def call_detail(request, slug: str):
    call = selectors_setup.call_get_public(slug=slug)
    state = selectors_setup.call_state(call)
    user = request.user
    eligibilities = selectors_setup.managed_poles_eligibility(call=call, user=user)
    live = selectors_apply.live_applications(call=call, poles=[e.pole for e in eligibilities])
    items = [
        {"pole": e.pole, "eligibility": e.eligibility, "application": live.get(e.pole.pk)}
        for e in eligibilities
    ]
    return render(
        request,
        "calls/public/call.html",
        {
            "call": call,
            "state": state,
            "phase": selectors_setup.call_phase(call),
            "is_open": state == selectors_setup.OPEN,
            "countdown": selectors_setup.countdown(call),
            "opens": selectors_setup.opens_text(call),
            "closes": selectors_setup.closes_text(call),
            "results": selectors_setup.results_text(call),
            "results_published": selectors_setup.results_published_text(call),
            "specifications": render_markdown(call.specifications),
            "faq": render_markdown(call.faq),
            "conditions": selectors_setup.conditions_text(call),
            "documents": list(call.documents.all()),
            "stages": list(call.stages.all()),
            "eligibilities": items,
            # every pole the user runs has its application: no « apply » button, each
            # pole's card links to its file
            "all_applied": bool(items) and all(item["application"] for item in items),
            "apply_url": (
                reverse("calls:apply_start", args=[call.slug])
                if state == selectors_setup.OPEN
                else ""
            ),
            "can_manage": permissions.can_manage_call(user, call),
        },
    )


@require_GET
def document(request, slug: str, document_id: int):
    found = selectors_setup.document_get_public(slug=slug, document_id=document_id)
    extension = {
        "application/pdf": "pdf",
        "application/vnd.oasis.opendocument.text": "odt",
        "application/vnd.oasis.opendocument.spreadsheet": "ods",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        "image/png": "png",
        "image/jpeg": "jpg",
    }.get(found.content_type, "bin")
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        as_attachment=True,
        filename=f"{slugify(found.title) or found.call.slug}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list = [
    path("", call_list, name="list"),
    path("<slug:slug>/", call_detail, name="call"),
    path("<slug:slug>/documents/<int:document_id>/", document, name="document"),
]
