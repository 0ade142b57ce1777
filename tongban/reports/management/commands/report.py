"""``tongban report {acceptance,workload,completion,monthly} --from D --to D
[--as-of ISO] [--department CODE] --format {json,xlsx,pdf,html} [-o FILE]``: one
report (statistics.md) over every department, or the given one and its
sub-departments. JSON and HTML go to stdout unless ``-o``; Excel and PDF are written
to FILE, or as bytes to stdout (for a pipe). Every run is an audited export."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.accounts.models import Department
from tongban.core.clock import now, parse_instant
from tongban.core.errors import DomainError

from ... import render
from ...definitions import REPORTS, build_report


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("Not a date: “%(text)s” (expected e.g. 2026-03-31).") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = "Print one of the four statistics reports as JSON, HTML, Excel or PDF."

    def add_arguments(self, parser):
        parser.add_argument("key", choices=list(REPORTS), help="which report")
        parser.add_argument("--from", dest="date_from", required=True, help="first acceptance date")
        parser.add_argument("--to", dest="date_to", required=True, help="last acceptance date")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="the facts as of this instant (ISO date or datetime; a date means its "
            "end; default now)",
        )
        parser.add_argument("--department", help="a department code (with its sub-departments)")
        parser.add_argument("--format", dest="fmt", choices=render.FORMATS, default="json")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, key, date_from, date_to, as_of, department, fmt, output, **options):
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError(_("The end date is before the start date."))
        try:
            instant = parse_instant(as_of) if as_of else now()
        except ValueError:
            raise CommandError(
                _("Not a date or time: “%(text)s” (expected e.g. 2026-03-31 or 2026-03-31T12:00).")
                % {"text": as_of}
            ) from None
        if department and not Department.objects.filter(code=department).exists():
            raise CommandError(_("No department has the code “%(code)s”.") % {"code": department})
        try:
            report = build_report(
                key,
                date_from=start,
                date_to=end,
                as_of=instant,
                department=department or None,
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        content = render.export(report, fmt, actor=None, at=now())
        if output:
            with open(output, "wb") as out:
                out.write(content)
            self.stderr.write(_("Written to %(file)s.") % {"file": output})
        elif fmt in ("json", "html"):
            self.stdout.write(content.decode())
        else:
            # Bytes for a pipe (`tongban report … --format pdf > report.pdf`).
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream = getattr(stream, "buffer", stream)
            stream.write(content)
            stream.flush()
