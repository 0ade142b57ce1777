"""Create one of the three administrators from the server's shell.

There is no built-in administrator account (security.md): a fresh installation
creates its system, security and audit administrators with this command, each a
separate person (三员分立).
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tongban.accounts import services
from tongban.accounts.models import Department
from tongban.accounts.roles import ADMIN_ROLES
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a system, security or audit administrator account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument("--full-name", default="")
        parser.add_argument("--department", help="department code (optional)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(f"department {options['department']!r} does not exist")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords do not match")
        try:
            with transaction.atomic():
                user = services.create_user(
                    actor=None,
                    username=options["username"],
                    password=password,
                    full_name=options["full_name"],
                    department=department,
                    must_change_password=False,
                    at=timezone.now(),
                )
                services.assign_roles(
                    actor=None, user=user, roles=[options["role"]], at=timezone.now()
                )
        except DomainError as exc:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"created {user.username} ({options['role']})")
