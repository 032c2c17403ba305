from django_tasks import task

from registry import importing


@task()
def run_import(batch_id: int) -> str:
    """Apply a confirmed CSV import (see importing.batch_run)."""
    return importing.batch_run(batch_id=batch_id)
