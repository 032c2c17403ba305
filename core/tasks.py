from django_tasks import task

from core.mail import outbound_send


@task()
def send_outbound_email(outbound_id: int) -> str | None:
    status = outbound_send(outbound_id=outbound_id)
    return str(status) if status else None
