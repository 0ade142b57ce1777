"""``tongban totp_code USERNAME``: the current authenticator code of a demo account,
so that the demo can be tried without a phone. Refused outside demo mode and for
accounts that are not demo accounts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.accounts import security
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            code = security.demo_totp_code(username=username, at=timezone.now())
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(code)
