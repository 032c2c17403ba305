from core.models import AuditEntry


def audit(action: str, *, scope: str, object_id: int | None = None, actor=None, **data) -> None:
    """Record what a service did. Call inside the service's transaction."""
    AuditEntry.objects.create(
        action=action,
        scope=scope,
        object_id=object_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=data,
    )
