"""``tongban export cases --as-of ISO --format csv [-o FILE] [--department CODE]``:
the raw facts behind the statistics, one row per case accepted by ``as_of``
(statistics.md). Written to stdout, or to FILE (UTF-8 with a byte-order mark, so
that spreadsheet programs read the Chinese text correctly). The export is audited."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record_event
from tongban.core.clock import now, parse_instant
from tongban.core.errors import NotFound

from ...export import case_facts, write_facts_csv


class Command(BaseCommand):
    help = "Export data: `cases` (the facts behind the statistics, as of an instant)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["cases"], help="what to export")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="facts as of this instant (ISO date or datetime; a date means its end; "
            "default now)",
        )
        parser.add_argument("--format", dest="fmt", choices=["csv"], default="csv")
        parser.add_argument("--department", help="a department code (with its sub-departments)")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, what: str, as_of, fmt: str, department, output, **options):
        try:
            instant = parse_instant(as_of) if as_of else now()
        except ValueError:
            raise CommandError(
                _("Not a date or time: “%(text)s” (expected e.g. 2026-03-31 or 2026-03-31T12:00).")
                % {"text": as_of}
            ) from None
        facts = case_facts(instant, department or None)
        try:
            if output:
                with open(output, "w", encoding="utf-8-sig", newline="") as out:
                    count = write_facts_csv(facts, out)
            else:
                count = write_facts_csv(facts, self.stdout)
        except NotFound:
            raise CommandError(
                _("No department has the code “%(code)s”.") % {"code": department}
            ) from None
        record_event(
            actor=None,
            action="case.export",
            object_type="cases.case",
            message=f"as_of={instant.isoformat()} department={department or ''} rows={count}",
            at=timezone.now(),
        )
        if output:
            self.stderr.write(_("%(n)d cases written to %(file)s.") % {"n": count, "file": output})
