"""Fetching a citizen's own drafts and cases by id: the only way the portal's "my
applications" pages reach them. Somebody else's draft or case is the same 404 as a
missing one (security.md, Access control)."""

from __future__ import annotations

from django.http import Http404

from tongban.citizens.models import Citizen

from .models import ApplicationDraft


def get_draft_for(citizen: Citizen | None, pk: int) -> ApplicationDraft:
    if citizen is None:
        raise Http404
    draft = (
        ApplicationDraft.objects.select_related("item", "item__department", "case")
        .filter(pk=pk, citizen=citizen)
        .first()
    )
    if draft is None:
        raise Http404
    return draft
