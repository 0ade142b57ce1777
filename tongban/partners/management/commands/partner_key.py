"""Partners and their signing keys from the server's shell (the operator acts as the
system).

tongban partner_key partner CODE NAME [--rate N] [--contact C]   create a partner
tongban partner_key issue CODE --scope S [--scope S ...] [--days D] [--name N]
                                                 prints the key id, then the secret once
tongban partner_key revoke KEY_ID
tongban partner_key list [--all]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.partners import services
from tongban.partners.models import Partner, PartnerKey, Scope


class Command(BaseCommand):
    help = "Create partners; issue, revoke or list their API signing keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        partner = sub.add_parser("partner", help="create a partner")
        partner.add_argument("code")
        partner.add_argument("name")
        partner.add_argument("--rate", type=int, default=120, help="requests per minute per key")
        partner.add_argument("--contact", default="")
        issue = sub.add_parser("issue", help="issue a key; the secret is printed once")
        issue.add_argument("code", help="the partner's code")
        issue.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        issue.add_argument("--days", type=int, default=services.DEFAULT_KEY_DAYS)
        issue.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a key by its key id")
        revoke.add_argument("key_id")
        listing = sub.add_parser("list", help="list keys (active ones unless --all)")
        listing.add_argument("--all", action="store_true", help="also revoked and expired")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
            raise CommandError(detail or str(exc.message)) from exc

    def _partner(self, options) -> None:
        partner = services.create_partner(
            actor=None,
            code=options["code"],
            name=options["name"],
            rate_limit_per_minute=options["rate"],
            contact=options["contact"],
            at=clock.now(),
        )
        self.stdout.write(f"partner {partner.code} created")

    def _issue(self, options) -> None:
        partner = Partner.objects.filter(code=options["code"].strip().lower()).first()
        if partner is None:
            raise CommandError(f"no partner {options['code']!r}")
        key, secret = services.issue_key(
            actor=None,
            partner=partner,
            scopes=options["scopes"],
            days=options["days"],
            name=options["name"],
            at=clock.now(),
        )
        self.stderr.write(
            f"key for {partner.code}, scopes {' '.join(key.scopes)}, "
            f"expires {key.expires_at:%Y-%m-%d}; key id, then the secret (shown only now):"
        )
        self.stdout.write(key.key_id)
        self.stdout.write(secret)

    def _revoke(self, options) -> None:
        key = PartnerKey.objects.filter(key_id=options["key_id"].strip()).first()
        if key is None:
            raise CommandError(f"no key {options['key_id']!r}")
        services.revoke_key(actor=None, key=key, at=clock.now())
        self.stdout.write(f"revoked {key.key_id}")

    def _list(self, options) -> None:
        now = clock.now()
        rows = PartnerKey.objects.select_related("partner").order_by("partner__code", "id")
        if not options["all"]:
            rows = rows.active_at(now)
        for key in rows:
            if key.revoked_at:
                state = "revoked"
            elif not key.is_active_at(now):
                state = "expired"
            else:
                state = "active" if key.partner.active else "partner disabled"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            expires = f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "never"
            self.stdout.write(
                f"{key.key_id}\t{key.partner.code}\t{' '.join(key.scopes)}\t{state}\t"
                f"expires {expires}\tused {used}"
            )
