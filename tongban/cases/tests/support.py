"""Shared by the service tests: the assertion that a refused action changed nothing
(services.py: "a refusal raises a ``DomainError`` before anything is written") and a
few more people and an item of another department."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import Personas, make_user
from tongban.audit.models import AuditRecord
from tongban.cases.models import (
    Case,
    CaseCounter,
    CaseMaterial,
    CaseStep,
    Extension,
    SupplementRequest,
    Suspension,
    TimelineEvent,
    Urging,
)
from tongban.catalog import services as catalog
from tongban.catalog.models import HandlingType, Item
from tongban.catalog.rules import StepSpec
from tongban.core.models import StoredFile
from tongban.dictionaries.models import ItemType
from tongban.notify.models import OutboxMessage


def case_state(case: Case) -> dict[str, Any]:
    """Everything a case action may write: the case row (every column, the version
    included), its step rows, and the rows that hang off it, plus the global audit
    and outbox counts."""
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "steps": list(CaseStep.objects.filter(case=case).order_by("id").values()),
        "timeline": TimelineEvent.objects.filter(case=case).count(),
        "audit": AuditRecord.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "materials": CaseMaterial.objects.filter(case=case).count(),
        "suspensions": list(Suspension.objects.filter(case=case).order_by("id").values()),
        "extensions": list(Extension.objects.filter(case=case).order_by("id").values()),
        "supplements": list(SupplementRequest.objects.filter(case=case).order_by("id").values()),
        "urgings": Urging.objects.filter(case=case).count(),
    }


def intake_state() -> dict[str, Any]:
    """What an intake may write, before there is a case."""
    return {
        "cases": Case.objects.count(),
        "counters": list(CaseCounter.objects.order_by("id").values()),
        "materials": CaseMaterial.objects.count(),
        "files": StoredFile.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


@contextmanager
def nothing_changes(case: Case | None = None) -> Iterator[None]:
    """``with nothing_changes(case), pytest.raises(PermissionDenied): …``"""
    snapshot = case_state if case is not None else (lambda _case: intake_state())
    before = snapshot(case)
    yield
    after = snapshot(case)
    assert after == before


def land_item(personas: Personas) -> Item:
    """A promised item of natural resources (ZRZY); ``make_items`` must have run."""
    item = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-ZRZY-XK-201",
            "name": "建设用地规划许可",
            "item_type": ItemType.objects.get(name="行政许可"),
            "department": personas.org.land,
            "handling_type": HandlingType.PROMISED,
            "promised_limit": 10,
            "statutory_limit": 20,
        },
        steps=[StepSpec("受理", "window_clerk"), StepSpec("承办", "handler", 5)],
        materials=[catalog.MaterialSpec("规划许可申请表", required=True, essential=True)],
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=item, at=timezone.now())
    return item


def land_clerk(personas: Personas):
    """A window clerk of natural resources (the personas' outsider is a handler)."""
    return make_user(
        "landclerk",
        RoleCode.WINDOW_CLERK,
        department=personas.org.land,
        full_name="孙窗口",
        mobile="13800000011",
    )


def market_user(personas: Personas, username: str, role: str, mobile: str, *, section=False):
    """One more person in market supervision (SCJG), e.g. a second handler."""
    return make_user(
        username,
        role,
        department=personas.org.market,
        section=personas.org.market_section if section else None,
        full_name=f"钱{username}",
        mobile=mobile,
    )
