"""Office pages for moving the catalogue in and out as Excel (thin: the work is in
``excel.py``). Only those who maintain items may use them; the export holds the items
the user may maintain, and the import refuses rows of other departments."""

from __future__ import annotations

import io

from django import forms
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts.access import module_required
from tongban.core import clock, files
from tongban.core.clock import local_date
from tongban.core.errors import ValidationFailed

from . import excel

MAX_IMPORT_SIZE = 10 * files.MB


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


# Only those who maintain some department's items.
transfer_required = module_required(also=excel.may_transfer)


def _page(request, *, form=None, report=None, status=200):
    context = {
        "form": form or ImportForm(),
        "report": report,
        "errors": report.sorted_errors() if report else [],
        "item_count": excel.items_managed_by(request.user).count(),
        "max_size_mb": MAX_IMPORT_SIZE // files.MB,
    }
    return render(request, "catalog/transfer/page.html", context, status=status)


@never_cache
@transfer_required
@require_GET
def transfer(request):
    """The page: export button, upload form, and the last import's report."""
    return _page(request)


@never_cache
@transfer_required
@require_GET
def export(request):
    data = excel.export_items(actor=request.user, at=clock.now())
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=_("catalogue-%(date)s.xlsx")
        % {"date": local_date(clock.now()).strftime("%Y%m%d")},
        content_type=files.KINDS["xlsx"].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@transfer_required
@require_POST
def import_(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    try:
        _kind, data = files.check_upload(
            form.cleaned_data["file"],
            allowed=frozenset({"xlsx"}),
            max_size=MAX_IMPORT_SIZE,
            field="file",
        )
    except ValidationFailed as exc:
        form.add_error("file", exc.message)
        return _page(request, form=form, status=422)
    report = excel.import_items(actor=request.user, data=data, at=clock.now())
    return _page(request, report=report, status=200 if report.ok else 422)
