"""Staff API tokens from the server's shell (the operator acts as the system).

tongban api_token create USERNAME [--name N] [--days D]   prints the secret once
tongban api_token revoke ID
tongban api_token list [--all]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.accounts import tokens
from tongban.accounts.models import ApiToken, User
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, revoke or list staff API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token; the secret is printed once")
        create.add_argument("username")
        create.add_argument("--name", default="API")
        create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("id", type=int)
        listing = sub.add_parser("list", help="list tokens (valid ones unless --all)")
        listing.add_argument("--all", action="store_true", help="also revoked and expired")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
            raise CommandError(detail or str(exc.message)) from exc

    def _create(self, options) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        token, secret = tokens.create_api_token(
            actor=None, user=user, name=options["name"], days=options["days"], at=timezone.now()
        )
        self.stderr.write(
            f"token {token.pk} for {user.username}, expires {token.expires_at:%Y-%m-%d}; "
            "the secret is shown only now:"
        )
        self.stdout.write(secret)

    def _revoke(self, options) -> None:
        token = ApiToken.objects.filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"no token {options['id']}")
        tokens.revoke_api_token(actor=None, token=token, at=timezone.now())
        self.stdout.write(f"revoked {token.pk} ({token.prefix}…)")

    def _list(self, options) -> None:
        now = timezone.now()
        rows = ApiToken.objects.select_related("user").order_by("id")
        if not options["all"]:
            rows = rows.filter(revoked_at__isnull=True, expires_at__gt=now)
        for token in rows:
            state = (
                "revoked"
                if token.revoked_at
                else ("expired" if token.expires_at <= now else "valid")
            )
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.user.username}\t{token.name}\t"
                f"{state}\texpires {token.expires_at:%Y-%m-%d}\tused {used}"
            )
