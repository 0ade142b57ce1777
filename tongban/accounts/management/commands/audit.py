"""``tongban audit {verify,checkpoint,export,purge}``.

The command line acts as the system itself (``actor=None``): whoever runs it has the
server's shell and its environment (database and audit key) already. Its exports and
purges are audited under the operating-system user's name.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.accounts.auditing import export_audit_log
from tongban.audit.services import purge_audit_log, write_checkpoint
from tongban.audit.verify import verify_chain
from tongban.core.errors import DomainError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (containers)
        return "cli"


class Command(BaseCommand):
    help = "Verify, checkpoint, export or purge the tamper-evident audit log."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="Check the hash chain; exit 1 and name the first bad record."
        )
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        sub.add_parser("checkpoint", help="Sign the current end of the chain.")
        export = sub.add_parser("export", help="Export records as CSV.")
        export.add_argument("--from", dest="date_from", type=_date, help="First local date.")
        export.add_argument("--to", dest="date_to", type=_date, help="Last local date.")
        export.add_argument("--format", choices=["csv"], default="csv")
        export.add_argument("-o", "--output", default="-", help="File (default: stdout).")
        purge = sub.add_parser(
            "purge", help="Delete records dated before DATE (at least the retention period old)."
        )
        purge.add_argument("--before", required=True, type=_date, help="Local date YYYY-MM-DD.")

    def handle(self, *args, **options):
        handler = getattr(self, f"_{options['subcommand']}")
        try:
            handler(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _verify(self, options) -> None:
        result = verify_chain()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.ok:
            self.stdout.write(result.summary())
        if not result.ok:
            if not options["json"]:
                self.stderr.write(result.summary())
            sys.exit(1)

    def _checkpoint(self, options) -> None:
        checkpoint = write_checkpoint(at=timezone.now())
        if checkpoint is None:
            self.stdout.write("Nothing to sign: the log is empty or its end is already signed.")
        else:
            self.stdout.write(f"Checkpoint #{checkpoint.seq} {checkpoint.hash}")

    def _export(self, options) -> None:
        kwargs = {
            "actor": None,
            "actor_name": _operator(),
            "date_from": options["date_from"],
            "date_to": options["date_to"],
            "at": timezone.now(),
        }
        if options["output"] == "-":
            count = export_audit_log(out=self.stdout, **kwargs)
        else:
            # UTF-8 with BOM: spreadsheet programs in Chinese locales read it correctly.
            with open(options["output"], "w", encoding="utf-8-sig", newline="") as out:
                count = export_audit_log(out=out, **kwargs)
            self.stderr.write(f"{count} records written to {options['output']}")

    def _purge(self, options) -> None:
        result = purge_audit_log(
            actor=None, before=options["before"], operator=_operator(), at=timezone.now()
        )
        if result.deleted == 0:
            self.stdout.write("Nothing to purge.")
        else:
            self.stdout.write(
                f"Purged {result.deleted} records (#{result.first_seq}–#{result.last_seq}); "
                f"purge anchor {result.anchor.hash}"
            )
