"""``tongban supervise [--as-of ISO] [--json]``: one supervision sweep."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.clock import parse_instant
from tongban.supervision.services import sweep


class Command(BaseCommand):
    help = "Run one supervision sweep: deemed acceptances, yellow and red cards, urgings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            help="The instant to sweep as of (ISO date or date-time, local time); default now.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        at = timezone.now()
        if options["as_of"]:
            try:
                at = parse_instant(options["as_of"])
            except ValueError as exc:
                raise CommandError(_("--as-of: not an ISO date or date-time.")) from exc
        result = sweep(at=at)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "Checked %(checked)d cases: %(deemed)d deemed accepted, %(yellow)d yellow "
                "cards, %(red)d red cards, %(urgings)d urgings, %(overruns)d special "
                "procedures over their limit, %(pledges)d pledges overdue."
            )
            % {
                "checked": result.checked,
                "deemed": result.deemed_accepted,
                "yellow": result.yellow_cards,
                "red": result.red_cards,
                "urgings": result.urgings,
                "overruns": result.special_overruns,
                "pledges": result.pledges_overdue,
            }
        )
        if result.missing_years:
            self.stderr.write(
                _("Warning: no holiday arrangement on file for %(years)s.")
                % {"years": ", ".join(map(str, result.missing_years))}
            )
