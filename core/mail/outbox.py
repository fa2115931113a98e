"""The mail outbox: a row per message, written in the same transaction as the change that
causes it, then delivered by the dramatiq actor ``send_mail``.

The outbox makes mail transactional: a rolled-back invitation sends nothing, and a
committed one is sent even if the broker was briefly away (the row stays unsent and can
be retried). Delivery goes through SMTP when ``PLANTOPS_SMTP_URL`` is set
(``smtp://user:password@host:port``, ``smtps://`` for implicit TLS, ``?starttls=1``);
otherwise the message is written to the log, which is what the demo does.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import db
from core.orm import Base, created_at, tenant_fk, uuid_pk

log = logging.getLogger("plantops.mail")
SENDER = os.environ.get("PLANTOPS_MAIL_FROM", "plantops <no-reply@plantops.local>")


class OutboxMail(Base):
    """One message waiting for (or done with) delivery."""

    __tablename__ = "mail_outbox"
    __tenant_table__ = True
    __audited__ = False  # operational record; the invitation that caused it is audited

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def queue_mail(session: Session, tenant_id: uuid.UUID, to: str, subject: str, body: str) -> uuid.UUID:
    """Add a message to the outbox inside the caller's transaction; return its id.

    Call :func:`core.jobs.send_mail` with the id once the transaction has committed.
    """
    mail = OutboxMail(tenant_id=tenant_id, id=uuid.uuid4(), to_email=to, subject=subject,
                      body=body, attempts=0)
    session.add(mail)
    return mail.id


def _smtp_send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host, port = parts.hostname or "localhost", parts.port
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, port or 465, timeout=30)
    else:
        smtp = smtplib.SMTP(host, port or 25, timeout=30)
    with smtp:
        if query.get("starttls", ["0"])[0] == "1":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def deliver(tenant_id: str, mail_id: str) -> None:
    """The ``send_mail`` actor: send one outbox message once (a sent one is skipped)."""
    tid, mid = uuid.UUID(tenant_id), uuid.UUID(mail_id)
    with db.tenant_session(tid) as session:
        mail = session.scalars(select(OutboxMail).where(
            OutboxMail.tenant_id == tid, OutboxMail.id == mid).with_for_update()).one_or_none()
        if mail is None or mail.sent_at is not None:
            return
        mail.attempts += 1
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = SENDER, mail.to_email, mail.subject
        message.set_content(mail.body)
        url = os.environ.get("PLANTOPS_SMTP_URL")
        failure: Exception | None = None
        try:
            if url:
                _smtp_send(url, message)
            else:
                log.info("mail (no PLANTOPS_SMTP_URL, printed instead) to %s: %s\n%s",
                         mail.to_email, mail.subject, mail.body)
        except (OSError, smtplib.SMTPException) as exc:
            failure = exc
            mail.last_error = f"{type(exc).__name__}: {exc}"
        else:
            mail.sent_at = datetime.now(UTC)
            mail.last_error = None
    if failure is not None:
        # The attempt is recorded (committed above); dramatiq retries with backoff.
        raise failure
