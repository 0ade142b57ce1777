"""The catalogue in the REST API: the public, read-only service guide.

Both endpoints are open (``auth=None``): they publish what the portal publishes, for
partner apps (无线城市) and anyone else. Drafts and expired items do not exist here.
A ``page_size`` above 100 is refused (422 naming ``page_size``), not silently
clamped: a client that asked for more must not believe it got everything."""

from __future__ import annotations

from django.urls import reverse
from ninja import Query, Router

from . import public
from .formschema import json_schema
from .models import Item
from .schemas import ItemDetailOut, ItemListOut, ItemListQuery

router = Router(tags=["catalogue"])


def _url(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def _department(department) -> dict:
    return {"code": department.code, "name": department.name}


def _summary(request, item: Item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "short_name": item.short_name,
        "item_type": item.item_type.name,
        "category": item.category.name if item.category_id else None,
        "department": _department(item.department),
        "handling_type": item.handling_type,
        "handling_type_label": str(item.get_handling_type_display()),
        "promised_limit": item.promised_limit,
        "statutory_limit": item.statutory_limit,
        "online_allowed": item.online_allowed,
        "guide_url": _url(request, "portal:guide_item", item.code),
    }


@router.get(
    "",
    auth=None,
    response=ItemListOut,
    summary="List published service items",
    operation_id="list_items",
)
def list_items(request, filters: Query[ItemListQuery]):
    """Published items valid today, filtered and paginated, ordered by code. A page
    past the last one is empty. Two queries (three with ``department``), whatever the
    page size."""
    items = public.published_items(
        public.GuideFilters(
            q=filters.q,
            department=filters.department,
            handling_type=filters.handling_type or "",
            item_type=filters.item_type,
            category=filters.category,
            theme=filters.theme,
            audience=filters.audience or "",
            online=filters.online,
        )
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "count": items.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_summary(request, item) for item in items[start : start + filters.page_size]],
    }


@router.get(
    "/{code}",
    auth=None,
    response=ItemDetailOut,
    summary="The service guide of a published item",
    operation_id="get_item",
)
def get_item(request, code: str):
    """Everything an applicant needs: materials (with form downloads), policy basis
    (with document downloads), the online form's JSON Schema, the process, the
    assisting departments and the special procedures. 404 for a missing, draft or
    expired item."""
    item = public.item_guide(code)
    return {
        **_summary(request, item),
        "max_extension": item.max_extension,
        "special_procedures_allowed": item.special_procedures_allowed,
        "fee": item.fee,
        "fee_basis": item.fee_basis,
        "conditions": item.conditions,
        "procedure_description": item.procedure_description,
        "result_name": item.result_name,
        "application_place": item.application_place,
        "application_hours": item.application_hours,
        "contact_phone": item.contact_phone,
        "complaint_phone": item.complaint_phone,
        "valid_from": item.valid_from,
        "valid_to": item.valid_to,
        "themes": [{"id": t.id, "kind": t.kind, "name": t.name} for t in item.themes.all()],
        "application_categories": [
            {"id": c.id, "name": c.name, "type": c.type} for c in item.application_categories.all()
        ],
        "materials": [
            {
                "id": m.id,
                "order": m.order,
                "name": m.name,
                "required": m.required,
                "essential": m.essential,
                "form": m.form,
                "form_label": str(m.get_form_display()),
                "copies": m.copies,
                "notes": m.notes,
                "blank_form_url": _url(request, "portal:material_blank", item.code, m.id)
                if m.blank_form_id
                else None,
                "example_url": _url(request, "portal:material_example", item.code, m.id)
                if m.example_id
                else None,
            }
            for m in item.materials.all()
        ],
        "basis": [
            {
                "id": b.id,
                "name": b.name,
                "issuing_body": b.issuing_body,
                "document_number": b.document_number,
                "clause": b.clause,
                "effective_date": b.effective_date,
                "document_url": _url(request, "portal:basis_document", b.id)
                if b.document_id
                else None,
            }
            for b in item.basis.all()
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "role": s.role,
                "role_label": str(s.get_role_display()),
                "department": _department(s.department or item.department),
                "limit_days": s.limit_days,
            }
            for s in item.steps.all()
        ],
        "assisting": [
            {"department": _department(a.department), "limit_days": a.limit_days, "task": a.task}
            for a in item.assisting.all()
        ],
        "special_procedures": [
            {"kind": p.kind, "label": str(p.get_kind_display()), "limit_days": p.limit_days}
            for p in item.special_procedures.all()
        ]
        if item.special_procedures_allowed
        else [],
        "form_schema": json_schema(item.form_fields.all()),
    }
