"""Moved to ``kinds.cases.diagram_views``; kept because the case URLs import it from
here (``cases.urls``)."""

from .kinds.cases.diagram_views import diagram  # noqa: F401
