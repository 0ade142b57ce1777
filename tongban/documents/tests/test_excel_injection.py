"""Formula injection: a value starting with = + - @ is written to the Excel notice as
text, never as a formula."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from tongban.accounts.testing import log_in
from tongban.cases.models import Case


def test_it_neutralises_formulas_in_the_excel_notice(client, personas, notice_cases):
    case = notice_cases["acceptance"]
    # The item name is a snapshot taken at intake; a hostile one is planted directly
    # (the catalogue would have had to accept it first).
    Case.objects.filter(pk=case.pk).update(item_name='=HYPERLINK("http://evil","x")')
    case.materials.update(name="+cmd|' /C calc'!A0")
    log_in(client, personas.handler)
    response = client.get(reverse("documents:notice", args=[case.number, "acceptance", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    values = [c.value for c in cells]
    assert '\'=HYPERLINK("http://evil","x")' in values
    assert "'+cmd|' /C calc'!A0" in values
    assert all(c.data_type != "f" for c in cells)
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
