"""Catalogue fixtures: dictionary entries and a ready-made promised item."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.catalog import services
from tongban.catalog.models import HandlingType
from tongban.dictionaries import services as dictionaries
from tongban.dictionaries.models import ItemCategory, ItemType


@pytest.fixture
def licence_type(db):
    """行政许可 (seeded by a migration; re-created after a transactional flush)."""
    existing = ItemType.objects.filter(name="行政许可").first()
    return existing or dictionaries.create_item_type(actor=None, name="行政许可", at=timezone.now())


@pytest.fixture
def market_category(db):
    existing = ItemCategory.objects.filter(name="市场准入").first()
    return existing or dictionaries.create_item_category(
        actor=None, name="市场准入", at=timezone.now()
    )


@pytest.fixture
def item(personas, licence_type, market_category):
    """A promised item of the market department: 20 working days, statutory 20."""
    return services.create_item(
        actor=personas.department_head,
        code="620500-SCJG-XK-001",
        name="食品经营许可",
        short_name="食品经营许可",
        item_type=licence_type,
        category=market_category,
        department=personas.org.market,
        handling_type=HandlingType.PROMISED,
        promised_limit=15,
        statutory_limit=20,
        at=timezone.now(),
    )


# --- added by the catalogue-core tests ---------------------------------------------------


@pytest.fixture
def centre(personas):
    """The city's service centre (a hall directly under the city government) and one
    of its staff holding the catalogue module (seed §1.8/§1.10: the centre maintains
    the departments' items)."""
    from tongban.accounts import services as accounts
    from tongban.accounts.models import DepartmentKind
    from tongban.accounts.roles import Module, RoleCode
    from tongban.accounts.testing import make_user

    hall = accounts.create_department(
        actor=None,
        code="TS-ZWFW",
        name="天水市政务服务中心",
        kind=DepartmentKind.HALL,
        parent=personas.org.city,
        at=timezone.now(),
    )
    clerk = make_user("centreclerk", RoleCode.HANDLER, department=hall, full_name="孙中心")
    accounts.grant_module(actor=None, module=Module.CATALOG, user=clerk, at=timezone.now())
    clerk.forget_cached_roles()
    return clerk


@pytest.fixture
def joint_item(personas, licence_type, market_category):
    """A joint item of the market department, assisted by natural resources:
    promised 20 (statutory 30); lead steps 承办 8 + 审核 2 + 批准 2, assisting 6."""
    from tongban.catalog.rules import AssistingSpec, StepSpec

    return services.create_item(
        actor=personas.department_head,
        code="620500-SCJG-LB-001",
        name="户外广告设施设置审批",
        item_type=licence_type,
        category=market_category,
        department=personas.org.market,
        handling_type=HandlingType.JOINT,
        promised_limit=20,
        statutory_limit=30,
        steps=[
            StepSpec("受理", "window_clerk"),
            StepSpec("承办", "handler", 8),
            StepSpec("审核", "section_head", 2),
            StepSpec("批准", "department_head", 2),
            StepSpec("办结", "handler"),
        ],
        assisting=[AssistingSpec(personas.org.land.pk, 6, "规划审查")],
        at=timezone.now(),
    )
