"""Bulk import and export of the catalogue as Excel (office pages)."""

from django.urls import path

from . import excel_views

app_name = "catalog_transfer"

urlpatterns = [
    path("", excel_views.transfer, name="transfer"),
    path("export/", excel_views.export, name="export"),
    path("import/", excel_views.import_, name="import"),
]
