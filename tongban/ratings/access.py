"""Who is asking: the portal's citizen, and fetching a case or a follow-up for them.
A case that is not the citizen's is the same 404 as a missing one."""

from __future__ import annotations

from tongban.core.errors import NotFound

from .models import FollowUp


def get_follow_up_for(user, pk) -> FollowUp:
    follow_up = (
        FollowUp.objects.visible_to(user)
        .select_related("department", "assigned_head", "closed_by", "rating__case", "rating__item")
        .filter(pk=pk)
        .first()
    )
    if follow_up is None:
        raise NotFound()
    return follow_up
