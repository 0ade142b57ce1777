"""``tongban simulate --cases N --from D --to D [--seed S]``: a realistic history of
cases made through the real services with a simulated clock (see
``tongban.cases.simulation``). On an empty database it first loads the demo
organisation, people, calendar and catalogue."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError

from ...simulation import simulate, text_progress


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("Not a date: “%(text)s” (expected YYYY-MM-DD, e.g. 2026-03-02).") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = "Simulate a realistic history of cases through the real services."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="number of applications")
        parser.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True, help="last day (YYYY-MM-DD)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--no-progress", action="store_true", help="do not show the progress bar"
        )

    def handle(self, *args, cases: int, start: str, end: str, seed: int, **options):
        first, last = _date(start), _date(end)
        if cases < 0:
            raise CommandError(_("The number of cases must be 0 or more."))
        if last < first:
            raise CommandError(_("The period ends before it starts."))
        stream = options.get("stderr") or sys.stderr
        progress = None if options["no_progress"] else text_progress(stream)
        try:
            summary = simulate(cases, first, last, seed, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if summary.loaded_base:
            self.stdout.write(_("Loaded the demo organisation, people, calendar and catalogue."))
        for line in summary.lines():
            self.stdout.write(line)
