from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, Registration


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"journee-{n}")
    title = factory.Sequence(lambda n: f"Journée test {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=7))
    status = Event.Status.PUBLISHED
    capacity = 10
    venue_name = "Centre de conférences"
    street = "139, rue de Bercy"
    postal_code = "75012"
    city = "Paris"
    organiser_name = "Le Labo de l'ESS"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A raw row, for read-side tests. Write-side tests go through the services."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    first_name = "Zoé"
    last_name = factory.Sequence(lambda n: f"Lefèvre{chr(97 + n % 26)}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    email_key = factory.LazyAttribute(lambda o: o.email.lower())
    search_text = factory.LazyAttribute(lambda o: f"{o.last_name} {o.first_name}".lower())
    category = Registration.Category.PTCE_MEMBER
    status = Registration.Status.CONFIRMED
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
