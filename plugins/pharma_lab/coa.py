"""Certificates of analysis: the supplier's (or the lab's) file, kept with the lot.

The file is stored in the lot's record (``bytea``) with its name, type, size and SHA-256.
At most 10 MB (413 beyond), PDF or image or plain text (422 otherwise; a "PDF" must
start like one). It may be replaced while the lot is in quarantine; once QC released or
rejected the lot, the certificate the decision rested on stays as it is (409).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import func

from core import db
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.inventory.lots import find_lot
from plugins.pharma_lab.models import LotRecord
from plugins.pharma_lab.reagents import LotReagentView, lot_record, lot_view

MAX_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "text/plain": ".txt"}


class TooLarge(DomainError):
    """The uploaded file is larger than allowed (413)."""

    status = 413


@dataclass(frozen=True)
class CoaUpload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class CoaFile:
    filename: str
    content_type: str
    data: bytes


def check_upload(upload: CoaUpload) -> CoaUpload:
    """The upload with a clean name and type; 413 / 422 naming ``file`` otherwise."""
    if len(upload.data) > MAX_BYTES:
        raise TooLarge(f"the certificate is {len(upload.data)} bytes: at most {MAX_BYTES} (10 MB)", "file")
    if not upload.data:
        raise InvalidInput("the certificate file is empty", "file")
    kind = (upload.content_type or "").split(";")[0].strip().lower()
    if kind not in CONTENT_TYPES:
        raise InvalidInput(f"the certificate must be one of: {', '.join(CONTENT_TYPES)} (got {kind or 'none'})",
                           "file")
    if kind == "application/pdf" and not upload.data.startswith(b"%PDF"):
        raise InvalidInput("the file says it is a PDF but is not one", "file")
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    return CoaUpload(name or f"certificate{CONTENT_TYPES[kind]}", kind, upload.data)


def upload_coa(tenant_id: uuid.UUID, code: str, upload: CoaUpload, user_id: uuid.UUID | None,
               sku: str | None = None) -> LotReagentView:
    """Keep the certificate of analysis with the lot (see the module for the rules)."""
    with db.tenant_session(tenant_id, user_id) as session:
        lot = find_lot(session, tenant_id, code, sku)  # 404 before looking at the file
        clean = check_upload(upload)
        record = lot_record(session, tenant_id, lot, create=True)
        assert record is not None
        if record.coa_filename and lot.status in ("available", "rejected"):
            raise Conflict(f"lot {lot.code!r} was already {'released' if lot.status == 'available' else 'rejected'}"
                           " by QC: its certificate of analysis stays as it was", "file")
        record.coa_filename, record.coa_content_type = clean.filename, clean.content_type
        record.coa_size, record.coa_data = len(clean.data), clean.data
        record.coa_sha256 = hashlib.sha256(clean.data).hexdigest()
        record.coa_uploaded_at, record.coa_uploaded_by = func.now(), user_id
        session.flush()
        session.refresh(record)
        return lot_view(session, tenant_id, lot)


def download_coa(tenant_id: uuid.UUID, code: str, sku: str | None = None) -> CoaFile:
    """The lot's certificate file (404 when there is none)."""
    with db.tenant_session(tenant_id) as session:
        lot = find_lot(session, tenant_id, code, sku)
        record = session.get(LotRecord, (tenant_id, lot.id))
        if record is None or record.coa_data is None:
            raise NotFound(f"lot {lot.code!r} has no certificate of analysis", "code")
        return CoaFile(record.coa_filename or "certificate", record.coa_content_type or "application/octet-stream",
                       bytes(record.coa_data))
