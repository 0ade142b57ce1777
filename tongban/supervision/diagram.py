"""Moved to ``kinds.cases.diagram`` (the process diagram is a picture of a case);
kept because the case pages import it from here (``cases.views``)."""

from .kinds.cases.diagram import PALETTE, build_diagram, case_diagram  # noqa: F401
