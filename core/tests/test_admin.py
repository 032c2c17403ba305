"""The admin: hostile query strings on every changelist, and list filters that show an
organiser only what she may see."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "a\x00b", "\u202e", "\x1b[0m"]


@pytest.fixture
def superuser_client(db):
    user = get_user_model().objects.create_superuser("root", password="x-pass-1234")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def changelists():
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        yield url


def test_nul_and_control_characters_in_every_changelist_search_and_filter(superuser_client):
    from events.tests.factories import EventFactory

    EventFactory(slug="journee")
    checked = 0
    for url in changelists():
        page = superuser_client.get(url)
        assert page.status_code == 200, url
        params = ["q"] + [
            name for spec in page.context["cl"].filter_specs for name in spec.expected_parameters()
        ]
        for name in params:
            for value in HOSTILE:
                response = superuser_client.get(url, {name: value})
                assert response.status_code < 500, (url, name, value)
                assert "\x00" not in response.content.decode(), (url, name)
                checked += 1
        # a NUL in the name of a parameter too
        assert superuser_client.get(url + "?%00=1&q%00=x").status_code < 500
    assert checked > 100


def test_a_search_with_a_nul_finds_what_the_text_around_it_finds(superuser_client):
    from events.tests.factories import EventFactory

    EventFactory(slug="journee", title="Journée nationale")
    url = reverse("admin:events_event_changelist")
    response = superuser_client.get(url, {"q": "Journée\x00"})
    assert response.status_code == 200
    assert response.context["cl"].query == "Journée"
    assert response.context["cl"].result_count == 1


def test_the_admin_autocomplete_drops_nul(superuser_client):
    url = reverse("admin:autocomplete")
    response = superuser_client.get(
        url,
        {
            "term": "a\x00",
            "app_label": "registry",
            "model_name": "membership",
            "field_name": "organisation",
        },
    )
    assert response.status_code == 200


def test_a_clean_query_string_is_left_as_it_is():
    """Only the dirty values are cleaned; a clean query string is the same object."""
    from django.http import QueryDict

    from core.middleware import _cleaned_query

    clean = QueryDict("q=a  b&x=1")
    assert _cleaned_query(clean) is clean
    assert _cleaned_query(QueryDict("q=a%00b"))["q"] == "a b"


@pytest.fixture
def organiser(db):
    from events.tests.factories import EventFactory

    user = get_user_model().objects.create_user("orga", password="x-pass-1234", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_event",
                "view_registration",
                "view_speaker",
                "view_doorrole",
                "view_device",
                "view_scan",
                "view_admission",
            ]
        )
    )
    mine = [EventFactory(title="Mon événement A"), EventFactory(title="Mon événement B")]
    for event in mine:
        event.managers.add(user)
    other = EventFactory(title="Événement secret d’un autre")
    client = Client()
    client.force_login(user)
    return client, mine, other


@pytest.mark.parametrize(
    "model", ["events_registration", "events_speaker", "checkin_doorrole", "checkin_device"]
)
def test_the_event_filter_lists_only_the_organisers_events(organiser, model):
    client, mine, other = organiser
    page = client.get(reverse(f"admin:{model}_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mon événement A" in html and "Mon événement B" in html
    assert "secret" not in html
    choices = [
        title
        for spec in page.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "event"
        for _pk, title in spec.lookup_choices
    ]
    assert sorted(choices) == ["Mon événement A", "Mon événement B"]


def test_door_rows_of_other_events_are_not_listed(organiser):
    from checkin.models import DoorRole

    client, mine, other = organiser
    helper = get_user_model().objects.create_user("benevole")
    DoorRole.objects.create(event=mine[0], user=helper, role="agent")
    DoorRole.objects.create(event=other, user=helper, role="agent")
    listing = client.get(reverse("admin:checkin_doorrole_changelist")).context["cl"]
    assert [role.event_id for role in listing.queryset] == [mine[0].pk]


def test_a_superuser_still_sees_every_event_in_the_filter(superuser_client, organiser):
    _client, _mine, _other = organiser
    html = superuser_client.get(reverse("admin:events_registration_changelist")).content
    assert "secret" in html.decode()


def test_a_search_longer_than_any_name_answers_on_every_changelist(superuser_client):
    """SQLite refuses a LIKE pattern over 50,000 bytes (a 500 before): admin queries are
    cut to a length no name reaches."""
    from events.tests.factories import EventFactory

    EventFactory(slug="journee", title="Journée des pôles")
    for url in changelists():
        response = superuser_client.get(url, {"q": "x" * 100_000})
        assert response.status_code == 200, url
    found = superuser_client.get(
        reverse("admin:events_event_changelist"), {"q": "Journée" + " " * 600 + "x" * 2000}
    )
    assert found.status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "-1", "1.5"])
def test_relation_fields_refuse_ids_the_database_cannot_hold(value):
    """A select or a multiple select posted with a number too large for the database (or
    not a number) is an invalid choice, not an overflow in the query (a 500 before)."""
    from events.admin import CleanTextForm
    from events.models import Session
    from events.tests.factories import EventFactory

    class SessionForm(CleanTextForm):
        class Meta:
            model = Session
            fields = ["event", "speakers"]

    event = EventFactory()
    form = SessionForm(data={"event": str(event.pk), "speakers": [value]})
    assert not form.is_valid()
    assert "speakers" in form.errors
    form = SessionForm(data={"event": value})
    assert not form.is_valid() and "event" in form.errors


def test_inline_formsets_never_build_more_than_their_bound(rf):
    """TOTAL_FORMS=99999 on every inline held a worker 30 s (Django builds up to max_num +
    1,000 forms of each): every inline of the admin builds at most
    BoundedInline.absolute_max, whatever TOTAL_FORMS says."""
    from types import SimpleNamespace

    from core.admin import BoundedInline

    request = rf.get("/admin/")
    request.user = get_user_model().objects.create_superuser("boss", password="x-pass-1234")
    request.resolver_match = SimpleNamespace(kwargs={})
    inlines = 0
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            data = {f"{formset.get_default_prefix()}-TOTAL_FORMS": "99999"}
            data[f"{formset.get_default_prefix()}-INITIAL_FORMS"] = "0"
            built = formset(data=data, instance=model())
            assert len(built.forms) <= BoundedInline.absolute_max, (model, inline)
            inlines += 1
    assert inlines >= 5


def test_date_filters_outside_the_calendar_and_actions_on_non_ids(superuser_client):
    """``?created_at__year=99999`` and an action on ``_selected_action=abc`` were 500s on
    every list of the admin."""
    from events.tests.factories import EventFactory

    EventFactory()
    url = reverse("admin:events_event_changelist")
    for params in ({"created_at__year": "99999"}, {"created_at__month": "13"}, {"x__day": "²"}):
        assert superuser_client.get(url, params).status_code < 500, params
    for value in ("abc", "²", "\x00", "99999999999999999999"):
        response = superuser_client.post(
            url, {"action": "delete_selected", "_selected_action": value, "index": "0"}
        )
        assert response.status_code < 500, value
