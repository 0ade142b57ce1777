"""``tongban catalog …``: the catalogue as Excel, run as the system itself.

    tongban catalog export -o items.xlsx [--department SCJG]
    tongban catalog import items.xlsx

The import is all or nothing: when a row is wrong, every problem is printed on stderr
(sheet, row, column, message) and the command exits with status 1, changing nothing.
The format is described in ``tongban/catalog/excel/__init__.py`` and ``docs/catalogue.md``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.accounts.models import Department
from tongban.catalog import excel
from tongban.catalog.excel_views import MAX_IMPORT_SIZE
from tongban.catalog.models import Item
from tongban.core import clock, files
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "Export the service items to an Excel workbook, or import one (all or nothing)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("export", help="write the items to an .xlsx file")
        p.add_argument("-o", "--output", required=True)
        p.add_argument(
            "--department", default="", help="only this department's items (code, with its subtree)"
        )
        p = sub.add_parser("import", help="import items from an .xlsx file (all or nothing)")
        p.add_argument("file")

    def handle(self, *args, **options):
        if options["action"] == "export":
            self.export(options)
        else:
            self.import_(options)

    def export(self, options) -> None:
        items = Item.objects.all()
        code = options["department"].strip().upper()
        if code:
            department = Department.objects.filter(code=code).first()
            if department is None:
                raise CommandError(
                    _("There is no department with the code “%(code)s”.") % {"code": code}
                )
            items = items.filter(department__path__startswith=department.path)
        target = Path(options["output"])
        data = excel.export_items(actor=None, items=items, at=clock.now())
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": target, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            _("%(count)d items written to %(file)s.") % {"count": items.count(), "file": target}
        )

    def import_(self, options) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": source})
        with source.open("rb") as handle:
            try:
                _kind, data = files.check_upload(
                    File(handle, name=source.name),
                    allowed=frozenset({"xlsx"}),
                    max_size=MAX_IMPORT_SIZE,
                )
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
        report = excel.import_items(actor=None, data=data, at=clock.now())
        if not report.ok:
            for error in report.sorted_errors():
                self.stderr.write(str(error))
            raise CommandError(
                _("Nothing was imported: %(count)d problems.") % {"count": len(report.errors)}
            )
        self.stdout.write(
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            }
        )
