"""``python -m bench``: see the package docstring."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

SCRATCH = "tongban_bench"


def _scratch_url(url: str) -> tuple[str, str]:
    """The server's own database (for CREATE DATABASE) and the scratch database."""
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def _create_scratch(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")


def main() -> int:
    wanted = set(sys.argv[1:])
    known = {"lifecycle", "queries", "workbench", "supervision", "reports", "portal"}
    if wanted - known:
        print(f"Unknown part(s) {sorted(wanted - known)}; known: {sorted(known)}", file=sys.stderr)
        return 2
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "The benchmark needs PostgreSQL: set DATABASE_URL to a server, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench\n"
            f"(a scratch database “{SCRATCH}” is created on it).",
            file=sys.stderr,
        )
        return 2
    admin_url, scratch_url = _scratch_url(url)
    try:
        _create_scratch(admin_url)
    except Exception as exc:  # a clear message rather than a traceback
        print(f"Cannot create the scratch database {SCRATCH}: {exc}", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    os.environ["TONGBAN_OUTBOX_EAGER"] = "0"
    os.environ.setdefault("TONGBAN_VAR_DIR", tempfile.mkdtemp(prefix="tongban-bench-"))
    os.environ.pop("TONGBAN_TESTING", None)

    import django

    django.setup()
    from django.core.management import call_command

    from tongban.cases.simulation import load_base_data

    began = time.monotonic()
    print(f"Scratch database {SCRATCH}: migrating and loading the demo organisation …")
    call_command("migrate", interactive=False, verbosity=0)
    load_base_data()
    print(f"  ready in {time.monotonic() - began:.0f} s\n")

    from . import lifecycle, portal, queries, reports, supervision, workbench

    parts = {
        "lifecycle": lifecycle.report,
        "queries": queries.report,
        "workbench": workbench.report,
        "supervision": supervision.report,
        "reports": reports.report,
        "portal": portal.report,
    }
    # ``python -m bench reports`` runs only the parts named; no argument runs them all.
    for name, run in parts.items():
        if not wanted or name in wanted:
            run()
    print(f"Total time: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
