from django_tasks import task

from events import document_services, services


@task()
def erase_expired_personal_data() -> int:
    """Anonymise registrations of events past their retention period, then delete the
    documents (badges, lists, exports) that still held their data or have expired."""
    erased = services.events_erase_expired_personal_data()
    document_services.documents_purge()
    return erased


@task()
def build_event_document(document_id: int, build_token: str) -> str:
    """Build a badges PDF, security list or export requested by an organiser."""
    return document_services.document_build(document_id=document_id, build_token=build_token)


@task()
def purge_event_documents() -> int:
    """Delete expired documents and those built before an erasure."""
    return document_services.documents_purge()
