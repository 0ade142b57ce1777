"""E-mail through Django's SMTP backend (EMAIL_HOST, EMAIL_PORT … in settings).

The SMTP backend is named here rather than taken from EMAIL_BACKEND, which the
test runner replaces with an in-memory one. Each message carries a Message-ID made
from its outbox id, so a retry after an unconfirmed send is recognisable as the
same message by the receiving side.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from . import Backend, GatewayUnavailable, PermanentFailure, TemporaryFailure

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def message_id(message) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<outbox-{message.pk}-{int(message.created_at.timestamp())}@{domain}>"


class SmtpBackend(Backend):
    def __init__(self):
        self.connection = get_connection(SMTP_BACKEND, fail_silently=False)

    def send(self, message, *, template=None) -> str:
        mid = message_id(message)
        email = EmailMessage(
            subject=message.subject or _("Tongban notification"),
            body=message.body,
            to=[message.address],
            headers={"Message-ID": mid},
            connection=self.connection,
        )
        try:
            self.connection.open()  # kept open for the rest of the run
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            code, reply = next(iter(exc.recipients.values()), (450, b""))
            error = f"SMTP {code} {_reply(reply)}"
            if 500 <= int(code) < 600:
                raise PermanentFailure(error) from exc
            raise TemporaryFailure(error) from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            self.close()
            raise GatewayUnavailable(_("Mail server unreachable: %s") % exc) from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused, data refused, authentication: 4xx passes, 5xx is kept
            # as temporary too when it is about us (auth), so a fix can still save it.
            self.close()
            error = f"SMTP {exc.smtp_code} {_reply(exc.smtp_error)}"
            if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
                raise PermanentFailure(error) from exc
            raise TemporaryFailure(error) from exc
        return mid

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # the connection is gone either way
            self.connection.connection = None


def _reply(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
