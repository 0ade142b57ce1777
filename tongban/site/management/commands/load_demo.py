"""``tongban load_demo``: load the demo data into an already migrated database."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError
from tongban.site.demo import load_demo_data, logins_lines, summary_lines, totp_hint_lines


class Command(BaseCommand):
    help = "Load the demo data (Tianshui organisation, demo accounts, holidays); idempotent."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(_("Demo data cannot be loaded in production mode."))
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(_("The database is not up to date: run `tongban migrate` first."))
        try:
            context = load_demo_data()
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary_lines(context):
            self.stdout.write(line)
        self.stdout.write("")
        for line in logins_lines(context):
            self.stdout.write(line)
        self.stdout.write("")
        for line in totp_hint_lines("tongban"):
            self.stdout.write(line)
        if not settings.DEMO_MODE:
            self.stdout.write("")
            self.stdout.write(
                self.style.WARNING(
                    _("Demo accounts can sign in only when the server runs with TONGBAN_DEMO=1.")
                )
            )
