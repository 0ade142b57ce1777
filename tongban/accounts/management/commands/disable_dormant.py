"""``tongban disable_dormant``: disable accounts unused for 90 days (also run daily by
the worker, see ``accounts/tasks.py``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.accounts import security
from tongban.core.clock import parse_instant


class Command(BaseCommand):
    help = "Disable accounts without a login for TONGBAN_DORMANT_DAYS (90) days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", help="Run as of this date or time (ISO 8601; default: now).", default=None
        )

    def handle(self, *args, at=None, **options):
        try:
            when = parse_instant(at) if at else timezone.now()
        except ValueError as exc:
            raise CommandError(f"--at: {exc}") from exc
        disabled = security.disable_dormant_accounts(at=when)
        for username in disabled:
            self.stdout.write(f"disabled {username}")
        self.stdout.write(self.style.SUCCESS(f"{len(disabled)} dormant account(s) disabled."))
