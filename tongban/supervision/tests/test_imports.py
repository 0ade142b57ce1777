"""Issue 14, "Done when": supervision code has no import of ``cases`` outside the
registration of cases as a clocked item (``supervision.kinds.cases``). Read from the
source with grimp, imports inside functions included (``TYPE_CHECKING`` ones are not
imports at run time and are left out)."""

from __future__ import annotations

import grimp

CASE_KIND = "tongban.supervision.kinds.cases"


def test_only_the_case_kind_imports_the_case_engine():
    graph = grimp.build_graph("tongban", exclude_type_checking_imports=True)
    offenders = sorted(
        f"{importer} imports {imported}"
        for importer in graph.find_descendants("tongban.supervision")
        if not importer.startswith(CASE_KIND) and ".tests" not in importer
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported == "tongban.cases" or imported.startswith("tongban.cases.")
    )
    assert offenders == []


def test_the_case_kind_is_reached_only_through_its_registration():
    # Besides the app's ready(), nothing outside the kind's package names it.
    graph = grimp.build_graph("tongban", exclude_type_checking_imports=True)
    allowed = {"tongban.supervision.apps"}
    importers = {
        importer
        for module in {CASE_KIND, *graph.find_descendants(CASE_KIND)}
        for importer in graph.find_modules_that_directly_import(module)
        if importer.startswith("tongban.supervision")
        and not importer.startswith(CASE_KIND)
        and ".tests" not in importer
    }
    assert importers <= allowed, sorted(importers - allowed)
