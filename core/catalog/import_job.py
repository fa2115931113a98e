"""The item import as a job: large files run in a worker and report progress."""

from __future__ import annotations

import uuid
from typing import Any

from core import db
from core.catalog.item_csv import ImportResult, import_items, read_rows
from core.job_records import create_job
from core.jobs import JobContext, enqueue, register_job_kind

KIND = "item_import"


def run_item_import(ctx: JobContext) -> dict[str, Any]:
    """Job handler: import the CSV text stored in the job's parameters."""
    return import_items(ctx.tenant_id, ctx.params["csv"], ctx.progress).as_dict()


def start_item_import(
    tenant_id: uuid.UUID, text: str, user_id: uuid.UUID | None, threshold: int
) -> ImportResult | uuid.UUID:
    """Import now when the file is small; otherwise queue a job and return its id.

    The header is checked before queuing, so a file with a wrong column fails at once.
    """
    rows = read_rows(text)
    if len(rows) <= threshold:
        return import_items(tenant_id, text)
    with db.tenant_session(tenant_id, user_id) as session:
        job = create_job(session, tenant_id, KIND, {"csv": text, "rows": len(rows)}, user_id)
        job_id = job.id
    enqueue(tenant_id, job_id)
    return job_id


register_job_kind(KIND, run_item_import)
