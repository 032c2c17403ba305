"""Keep ``Event.updated_at`` true when the programme, speakers or partners change.

The public page's cached parts are keyed on it (events/templates/events/public/
event_detail.html, core.pagecache). Receivers rather than ``save()`` overrides, so that
queryset deletes, cascades and speaker additions to a session count too. A queryset
``.update()`` sends no signal: code that uses one on these models touches the event itself
(``event_touch``).
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from events.models import Event, EventDocument, Partner, Session, Speaker


def event_touch(event_id: int) -> None:
    Event.objects.filter(pk=event_id).update(updated_at=timezone.now())


@receiver(post_save, sender=Session)
@receiver(post_save, sender=Speaker)
@receiver(post_save, sender=Partner)
@receiver(post_delete, sender=Session)
@receiver(post_delete, sender=Speaker)
@receiver(post_delete, sender=Partner)
def programme_changed(sender, instance, **kwargs) -> None:
    event_touch(instance.event_id)


@receiver(m2m_changed, sender=Session.speakers.through)
def session_speakers_changed(sender, instance, action, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Session):
        event_touch(instance.event_id)
    else:  # speaker.sessions.add(...): the sessions' events
        for event_id in set(
            Session.objects.filter(pk__in=pk_set or ()).values_list("event_id", flat=True)
        ):
            event_touch(event_id)


@receiver(post_delete, sender=EventDocument)
def document_deleted(sender, instance, **kwargs) -> None:
    """A document's file goes with its row (purges, erasures, an event deleted), once the
    deletion is committed."""
    if instance.file_name:
        from events.document_services import delete_document_file

        transaction.on_commit(partial(delete_document_file, instance.file_name))
