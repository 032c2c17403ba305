from django_tasks import task

from events import services


@task()
def erase_expired_personal_data() -> int:
    """Anonymise registrations of events past their retention period."""
    return services.events_erase_expired_personal_data()
