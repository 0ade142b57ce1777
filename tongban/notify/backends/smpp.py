"""SMS through an operator's SMSC over SMPP 3.4 (smpplib).

One bind_transceiver session per dispatcher run: each message is sent as UCS2
(data_coding 8) submit_sm PDUs — split with a UDH when longer than one SMS — and
the dispatcher waits for each submit_sm_resp before it commits the message as sent.
Delivery receipts (deliver_sm with esm_class 0x04) arrive on the same session; they
are answered at once and handed to the dispatcher through ``take_receipts()``.
Closing the session is an unbind handshake, so every receipt the SMSC sent before
it is read.

SMPP has no idempotency key: if the SMSC accepts a message and the connection or
our process dies before the submit_sm_resp is read and committed, the message is
sent again on the next attempt (the at-least-once window, docs/notifications.md).
"""

from __future__ import annotations

import contextlib
import logging
import re

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings
from django.utils.translation import gettext as _

from ..models import FailureReason
from . import (
    DELIVERED,
    Backend,
    GatewayUnavailable,
    PermanentFailure,
    Receipt,
    TemporaryFailure,
    render_sms,
)

log = logging.getLogger(__name__)

# command_status values after which trying again cannot help. Everything else —
# ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR, ESME_RX_T_APPN, vendor codes — is
# retried until the message gives up (then the administrators are told).
PERMANENT_STATUSES = {
    0x0B: FailureReason.PERMANENT,  # ESME_RINVDSTADR: invalid destination address
    0x65: FailureReason.PERMANENT,  # ESME_RX_P_APPN: permanent error at the ESME
    0x66: FailureReason.PERMANENT,  # ESME_RX_R_APPN: ESME rejected the message
    0x01: FailureReason.TECHNICAL,  # ESME_RINVMSGLEN: our message is malformed
    0x04: None,  # ESME_RINVBNDSTS: session state, reconnect and retry
}

# message_state TLV (SMPP 3.4 §5.2.28) and the stat: word of the receipt text.
STATE_RESULT = {
    2: DELIVERED,
    3: FailureReason.TEMPORARY,  # EXPIRED: the phone stayed off past the validity
    4: FailureReason.TECHNICAL,  # DELETED
    5: FailureReason.PERMANENT,  # UNDELIVERABLE
    7: FailureReason.TECHNICAL,  # UNKNOWN
    8: FailureReason.PERMANENT,  # REJECTED
}
STAT_RESULT = {
    "DELIVRD": DELIVERED,
    "EXPIRED": FailureReason.TEMPORARY,
    "DELETED": FailureReason.TECHNICAL,
    "UNDELIV": FailureReason.PERMANENT,
    "UNKNOWN": FailureReason.TECHNICAL,
    "REJECTD": FailureReason.PERMANENT,
}
RECEIPT_TEXT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)", re.S)

TON_UNKNOWN, NPI_ISDN = 0, 1


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").rstrip("\x00")
    return str(value or "")


def parse_receipt(pdu) -> Receipt | None:
    """A delivery receipt from a deliver_sm, or None for anything else (a citizen's
    reply, an intermediate notification)."""
    if not (int(getattr(pdu, "esm_class", 0) or 0) & 0x04):
        return None
    text = _text(pdu.short_message)
    match = RECEIPT_TEXT.search(text)
    message_id = _text(getattr(pdu, "receipted_message_id", None)) or (
        match.group("id") if match else ""
    )
    state = getattr(pdu, "message_state", None)
    if state is not None and int(state) in STATE_RESULT:
        status = STATE_RESULT[int(state)]
    elif match and match.group("stat") in STAT_RESULT:
        status = STAT_RESULT[match.group("stat")]
    else:
        return None  # ENROUTE, ACCEPTD: not an outcome yet
    if not message_id:
        return None
    return Receipt(gateway_message_id=message_id, status=status, detail=text[:200])


class SmppBackend(Backend):
    needs_registered_template = True

    def __init__(self):
        self.client: smpplib.client.Client | None = None
        self._receipts: list[Receipt] = []

    # --- session ---------------------------------------------------------------------

    def _session(self) -> smpplib.client.Client:
        if self.client is not None:
            return self.client
        client = smpplib.client.Client(
            settings.TONGBAN_SMPP_HOST,
            settings.TONGBAN_SMPP_PORT,
            timeout=settings.TONGBAN_SMPP_TIMEOUT,
            allow_unknown_opt_params=True,
        )
        client.set_message_received_handler(self._on_deliver_sm)
        try:
            client.connect()
            client.bind_transceiver(
                system_id=settings.TONGBAN_SMPP_SYSTEM_ID,
                password=settings.TONGBAN_SMPP_PASSWORD,
            )
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            self._drop(client)
            raise GatewayUnavailable(_("SMSC unreachable: %s") % (exc or "connection")) from exc
        except smpplib.exceptions.PDUError as exc:
            # A refused bind is our configuration (system id, password, IP allowlist):
            # retried until the messages give up and the administrators are told.
            self._drop(client)
            raise GatewayUnavailable(_("SMSC refused the bind: %s") % exc) from exc
        self.client = client
        return client

    def _drop(self, client=None) -> None:
        client = client or self.client
        self.client = None
        if client is not None:
            with contextlib.suppress(Exception):  # the socket is gone either way
                client.disconnect()

    def _on_deliver_sm(self, pdu, **kwargs):
        receipt = parse_receipt(pdu)
        if receipt is not None:
            self._receipts.append(receipt)
        else:
            log.info("SMPP deliver_sm that is not a receipt ignored")
        return smpplib.consts.SMPP_ESME_ROK

    def _read_until(self, command: str, sequence: int | None):
        """Read PDUs, answering receipts and keep-alives, until the response to
        ``sequence`` (or any PDU named ``command`` when sequence is None)."""
        client = self.client
        while True:
            pdu = client.read_pdu()
            if pdu.command == "deliver_sm":
                client._message_received(pdu)  # records it and sends deliver_sm_resp
            elif pdu.command == "enquire_link":
                client._enquire_link_received(pdu)
            elif pdu.command in (command, "generic_nack") and (
                sequence is None or pdu.sequence == sequence
            ):
                return pdu
            else:
                log.debug("SMPP %s ignored while waiting for %s", pdu.command, command)

    # --- the Backend interface ----------------------------------------------------------

    def send(self, message, *, template=None) -> str:
        text = render_sms(message, template)
        parts, data_coding, esm_class = smpplib.gsm.make_parts(
            text, encoding=smpplib.consts.SMPP_ENCODING_ISO10646
        )
        client = self._session()
        first_id = ""
        for part in parts:
            try:
                pdu = client.send_message(
                    source_addr_ton=TON_UNKNOWN,
                    source_addr_npi=TON_UNKNOWN,
                    source_addr=settings.TONGBAN_SMPP_SOURCE_ADDR,
                    dest_addr_ton=TON_UNKNOWN,
                    dest_addr_npi=NPI_ISDN,
                    destination_addr=message.address,
                    short_message=part,
                    data_coding=data_coding,
                    esm_class=esm_class,
                    registered_delivery=1,  # ask for the final delivery receipt
                )
                resp = self._read_until("submit_sm_resp", pdu.sequence)
            except (smpplib.exceptions.ConnectionError, OSError) as exc:
                # Includes the timeout waiting for the response: whether the SMSC took
                # the part is unknown, so this is the at-least-once window.
                self._drop()
                raise GatewayUnavailable(_("SMSC connection lost: %s") % (exc or "-")) from exc
            except smpplib.exceptions.PDUError as exc:
                self._drop()
                raise TemporaryFailure(_("SMSC sent a broken PDU: %s") % exc) from exc
            status = int(resp.status or 0)
            if status != smpplib.consts.SMPP_ESME_ROK:
                description = smpplib.consts.DESCRIPTIONS.get(status, "")
                error = f"SMPP 0x{status:02X} {description}".strip()
                reason = PERMANENT_STATUSES.get(status)
                if reason is not None:
                    raise PermanentFailure(error, reason=reason)
                raise TemporaryFailure(error)
            # A long message has one id per part; the first part's receipt stands for it.
            first_id = first_id or _text(resp.message_id)
        return first_id

    def take_receipts(self) -> list[Receipt]:
        receipts, self._receipts = self._receipts, []
        return receipts

    def close(self) -> None:
        """Unbind and read up to the unbind_resp: every receipt the SMSC sent before
        our unbind is read and answered first."""
        client = self.client
        if client is None:
            return
        try:
            pdu = smpplib.smpp.make_pdu("unbind", client=client)
            client.send_pdu(pdu)
            self._read_until("unbind_resp", pdu.sequence)
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
            log.info("SMPP session ended without a clean unbind")
        finally:
            self._drop(client)

    def collect_receipts(self) -> list[Receipt]:
        """Bind, take whatever receipts the SMSC has queued for us, unbind."""
        self._session()
        self.close()
        return self.take_receipts()
