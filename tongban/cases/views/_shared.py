"""Helpers several office pages share: page sizes and the Excel export's limits,
the clock, service errors onto a form, and the material checklist as posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.core import clock as core_clock

from .. import services

LIST_SIZE = 25  # rows per page of a full list or the query
EXPORT_LIMIT = 10_000  # rows of one Excel export (security.md: export size capped)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class MaterialRow:
    """One line of the material checklist as posted (re-rendered on error)."""

    material: Any
    received: bool = False
    pages: str = ""
    copies: str = "1"
    has_file: bool = False
    errors: list = None

    def __post_init__(self):
        self.errors = self.errors or []


def _material_rows(request, item_materials, prefix: str):
    """The checklist from the POST: the rows (for the page) and what the service
    gets, with the service's ``materials.<i>`` index pointing back at its row."""
    rows, given, index = [], [], {}
    for material in item_materials:
        key = f"{prefix}-{material.pk}"
        upload = request.FILES.get(f"{key}-file") if request.method == "POST" else None
        row = MaterialRow(
            material=material,
            received=bool(request.POST.get(f"{key}-received")) or upload is not None,
            pages=request.POST.get(f"{key}-pages", "").strip(),
            copies=request.POST.get(f"{key}-copies", "").strip() or str(material.copies or 1),
            has_file=upload is not None,
        )
        rows.append(row)
        if not row.received:
            continue
        pages = int(row.pages) if row.pages.isdecimal() else None
        copies = int(row.copies) if row.copies.isdecimal() else 1
        index[len(given)] = row
        given.append(
            services.MaterialIn(material_id=material.pk, upload=upload, pages=pages, copies=copies)
        )
    return rows, given, index


def _add_errors(form, errors: dict) -> None:
    """Service messages onto a bound form, without repeating the form's own."""
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        have = form.errors.get(target or "__all__", [])
        for message in messages_:
            if str(message) not in have:
                form.add_error(target, str(message))


def _now():
    return core_clock.now()
