"""Shared by the Q&A and ratings tests: a portal citizen, and a question asked
through the real service."""

from __future__ import annotations

import datetime as dt

from tongban.citizens.models import Citizen
from tongban.qa import services
from tongban.qa.models import Question


def make_citizen(name: str = "刘市民", mobile: str = "13700001111") -> Citizen:
    # The citizens app's registration service is being built alongside; the row is
    # what its service writes (mobile through its blind index, hashed password).
    citizen = Citizen(name=name, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    citizen.set_mobile(mobile)
    citizen.set_password("Citizen-Pass-2026!")
    citizen.save()
    return citizen


def log_in_citizen(client, citizen: Citizen):
    """The agreed session key of a logged-in portal citizen."""
    session = client.session
    session["_citizen_id"] = citizen.pk
    session.save()
    return client


def ask(
    department,
    when: dt.datetime,
    *,
    title: str = "个体户营业执照办理需要多久？",
    content: str = "请问在秦州区办理个体工商户营业执照需要带哪些材料，多长时间能拿到？",
    name: str = "王小明",
    mobile: str = "13912345678",
    allow_public: bool = True,
    **kwargs,
) -> Question:
    return services.ask_question(
        title=title,
        content=content,
        contact_name=name,
        contact_mobile=mobile,
        allow_public=allow_public,
        department=department,
        at=when,
        **kwargs,
    )
