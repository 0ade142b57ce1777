"""``tongban calendar …``: working-day arithmetic and the holiday dictionary.

    tongban calendar add-workdays 2026-09-30 20       → 2026-11-03
    tongban calendar workdays-between 2026-09-30 2026-11-03   → 20
    tongban calendar is-workday 2026-10-10            → true
    tongban calendar missing-years [--from 2004 --to 2027]
    tongban calendar seed | export -o FILE.xlsx | import FILE.xlsx

Bad input ends with a message on stderr and exit status 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import clock
from tongban.core.clock import local_date
from tongban.core.errors import DomainError
from tongban.workcalendar.calendar import get_calendar


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("Not a date: “%(text)s” (expected YYYY-MM-DD, e.g. 2026-09-30).") % {"text": text}
        ) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CommandError(
            _("Not a whole number of working days: “%(text)s”.") % {"text": text}
        ) from None
    if value < 0:
        raise CommandError(
            _("The number of working days must be 0 or more, not %(value)s.") % {"value": value}
        )
    return value


class Command(BaseCommand):
    help = "Working-day calendar: arithmetic, missing years, seed, Excel import/export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("add-workdays", help="the N-th working day after DATE")
        p.add_argument("date")
        p.add_argument("n")
        p = sub.add_parser("workdays-between", help="working days d with A < d ≤ B")
        p.add_argument("a")
        p.add_argument("b")
        p = sub.add_parser("is-workday", help="prints true or false")
        p.add_argument("date")
        p = sub.add_parser("missing-years", help="years without an arrangement on file")
        p.add_argument("--from", dest="first", type=int, default=None)
        p.add_argument("--to", dest="last", type=int, default=None)
        sub.add_parser("seed", help="add the missing official arrangements (2004 onward)")
        p = sub.add_parser("export", help="write the holiday dictionary to an .xlsx file")
        p.add_argument("-o", "--output", required=True)
        p = sub.add_parser("import", help="import holidays from an .xlsx file (all or nothing)")
        p.add_argument("file")

    def handle(self, *args, **options):
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except (DomainError, ValueError) as exc:
            raise CommandError(_describe(exc)) from exc

    def do_add_workdays(self, options) -> None:
        day, n = _date(options["date"]), _count(options["n"])
        self.stdout.write(get_calendar().add(day, n).isoformat())

    def do_workdays_between(self, options) -> None:
        a, b = _date(options["a"]), _date(options["b"])
        self.stdout.write(str(get_calendar().wd(a, b)))

    def do_is_workday(self, options) -> None:
        day = _date(options["date"])
        self.stdout.write("true" if get_calendar().is_workday(day) else "false")

    def do_missing_years(self, options) -> None:
        this_year = local_date(clock.now()).year
        first = options["first"] if options["first"] is not None else 2004
        last = options["last"] if options["last"] is not None else this_year + 1
        if last < first:
            raise CommandError(
                _("--to %(last)s precedes --from %(first)s.") % {"last": last, "first": first}
            )
        from tongban.workcalendar.selectors import years_without_arrangement

        missing = years_without_arrangement(first, last)
        for year in missing:
            self.stdout.write(str(year))
        if not missing:
            self.stderr.write(
                _("Every year from %(first)s to %(last)s has an arrangement on file.")
                % {"first": first, "last": last}
            )

    def do_seed(self, options) -> None:
        from tongban.workcalendar.seeding import seed_official_calendar

        created = seed_official_calendar(actor=None, at=timezone.now())
        self.stdout.write(_("%(count)s rows created.") % {"count": created})

    def do_export(self, options) -> None:
        from tongban.workcalendar.excel import export_holidays
        from tongban.workcalendar.models import Holiday

        target = Path(options["output"])
        holidays = Holiday.objects.order_by("first_day").prefetch_related("adjusted_workdays")
        try:
            target.write_bytes(export_holidays(holidays))
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": target, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            _("%(count)s holidays written to %(file)s.") % {"count": len(holidays), "file": target}
        )

    def do_import(self, options) -> None:
        from tongban.workcalendar.services import import_holidays

        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": source})
        with source.open("rb") as handle:
            result = import_holidays(actor=None, file=handle, at=timezone.now())
        self.stdout.write(
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )


def _describe(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        lines = [str(exc.message)]
        lines += [f"  {m}" for ms in exc.fields.values() for m in ms if str(m) != lines[0]]
        return "\n".join(lines)
    return str(exc)
