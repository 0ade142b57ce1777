"""Online application (外网受理) through the portal's pages: drafts saved and
restored, field-level messages from the item's schema, uploads checked per material
(a refused file leaves the draft and its other files as they were), submission into
a case of the citizen, idempotency, and the per-citizen limits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStatus, Channel, MaterialSource
from tongban.cases.testing import PERSON_ID, make_items, person
from tongban.catalog.models import Item
from tongban.core.clock import now
from tongban.core.errors import ActionNotAllowed
from tongban.portal import applications
from tongban.portal.models import ApplicationDraft, DraftMaterial
from tongban.portal.testing import login_citizen, make_citizen

from .applying import exe_named_pdf, form_post, materials, pdf, png_named_pdf


@pytest.fixture
def item(personas):
    return make_items(personas).promised  # shop_name required; two required materials


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def web(client, citizen):
    return login_citizen(client, citizen)


def _start(web, item, **post):
    response = web.post(reverse("my:apply", args=[item.code]), form_post(item, **post))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ApplicationDraft.objects.get()


def _attach_required(web, item, draft):
    required = [m for m in materials(item) if m.required]
    post = form_post(item, key=draft.idempotency_key)
    for index, material in enumerate(required):
        post[f"material-{material.pk}"] = pdf(f"m{index}.pdf", text=f"m{index}")
    response = web.post(reverse("my:draft", args=[draft.pk]), post)
    assert response.status_code == 302
    return required


def test_it_opens_the_form_with_the_account_name_and_mobile(web, item, citizen):
    guide = web.get(reverse("portal:guide_item", args=[item.code])).content.decode()
    assert f'href="{reverse("my:apply", args=[item.code])}"' in guide

    page = web.get(reverse("my:apply", args=[item.code])).content.decode()
    assert 'value="张小三"' in page
    assert 'value="13912341234"' in page
    assert 'name="schema-shop_name"' in page
    for material in materials(item):
        assert f'name="material-{material.pk}"' in page
    assert ApplicationDraft.objects.count() == 0  # looking creates nothing


def test_it_sends_an_anonymous_visitor_to_log_in(client, item):
    response = client.get(reverse("my:apply", args=[item.code]))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_it_saves_a_draft_and_restores_it(web, item, citizen):
    draft = _start(web, item, applicant__address="天水市麦积区", declaration=None)

    page = web.get(reverse("my:draft", args=[draft.pk])).content.decode()
    assert 'value="小三面馆"' in page
    assert 'value="35"' in page
    assert PERSON_ID in page
    assert "天水市麦积区" in page
    assert 'name="declaration" id="declaration" value="1">' in page  # not ticked
    # Personal data is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_number FROM portal_applicationdraft WHERE id = %s", [draft.pk]
        )
        assert PERSON_ID not in cursor.fetchone()[0]
    # Opening the item again continues the same draft.
    again = web.get(reverse("my:apply", args=[item.code]))
    assert again["Location"] == reverse("my:draft", args=[draft.pk])
    assert AuditRecord.objects.filter(action="draft.create").count() == 1


def test_it_names_each_wrong_field_and_keeps_what_was_typed(web, item):
    draft = _start(web, item)
    post = form_post(
        item,
        action="submit",
        key=draft.idempotency_key,
        schema__shop_name="",
        schema__area="很多",
        applicant__id_number="620502199001011234",  # wrong check digit
        declaration=None,
    )
    response = web.post(reverse("my:draft", args=[draft.pk]), post)

    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写「店铺名称」" in page
    assert 'id="id_schema-area_error"' in page
    assert 'data-error-for="applicant-id_number"' in page
    assert 'data-error-for="declaration"' in page
    for material in materials(item):
        if material.required:
            assert f'data-error-for="material-{material.pk}"' in page
    assert 'value="天水市秦州区民主西路1号"' in page
    assert Case.objects.count() == 0
    draft.refresh_from_db()
    assert draft.case is None
    assert draft.form_data["area"] == "很多"  # saved as typed, to correct later


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (exe_named_pdf, "不接受此类型的文件"),
        (png_named_pdf, "文件扩展名为“.pdf”，但内容是 PNG"),
        (
            lambda: SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)),
            "文件超过 20 MB",
        ),
    ],
    ids=["exe-renamed-pdf", "png-named-pdf", "oversize"],
)
def test_it_refuses_a_disallowed_upload_and_keeps_the_draft(web, item, upload, expected):
    first, second, _optional = materials(item)
    draft = _start(web, item)
    post = form_post(item, key=draft.idempotency_key)
    post[f"material-{first.pk}"] = pdf("application.pdf")
    assert web.post(reverse("my:draft", args=[draft.pk]), post).status_code == 302

    post = form_post(item, key=draft.idempotency_key, schema__shop_name="小三面馆（新店）")
    post[f"material-{second.pk}"] = upload()
    response = web.post(reverse("my:draft", args=[draft.pk]), post)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-error-for="material-{second.pk}"' in page
    assert expected in page
    assert second.name in page
    # The draft and its other file are intact; the typed change was saved.
    attached = DraftMaterial.objects.filter(draft=draft)
    assert [a.material_id for a in attached] == [first.pk]
    assert "application.pdf" in page
    draft.refresh_from_db()
    assert draft.form_data["shop_name"] == "小三面馆（新店）"
    assert 'value="小三面馆（新店）"' in page


def test_it_submits_a_draft_into_an_online_case_of_the_citizen(web, item, citizen):
    draft = _start(web, item)
    required = _attach_required(web, item, draft)

    response = web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, action="submit", key=draft.idempotency_key),
    )

    case = Case.objects.get()
    assert response["Location"] == reverse("my:receipt", args=[case.number])
    assert case.citizen == citizen
    assert case.channel == Channel.ONLINE
    assert case.status == CaseStatus.RECEIVED
    assert case.received_by is None
    assert case.form_data["shop_name"] == "小三面馆"
    assert sorted(m.material_id for m in case.materials.all()) == sorted(m.pk for m in required)
    assert {m.source for m in case.materials.all()} == {MaterialSource.ONLINE}
    draft.refresh_from_db()
    assert draft.case == case
    receipt = web.get(response["Location"]).content.decode()
    assert case.number in receipt
    assert case.query_code in receipt
    # The draft has become the case: its page now leads to the case.
    assert web.get(reverse("my:draft", args=[draft.pk]))["Location"] == reverse(
        "my:case", args=[case.number]
    )
    listing = web.get(reverse("my:applications")).content.decode()
    assert f'data-case="{case.number}"' in listing
    assert 'id="drafts"' not in listing


def test_it_makes_one_case_from_a_double_submit(web, item):
    draft = _start(web, item)
    _attach_required(web, item, draft)
    post = form_post(item, action="submit", key=draft.idempotency_key)

    first = web.post(reverse("my:draft", args=[draft.pk]), post)
    second = web.post(reverse("my:draft", args=[draft.pk]), post)

    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_submit_online_returns_the_first_case_for_the_same_key(item, citizen):
    other = make_citizen("李四", "13700001111")
    given = [
        applications.MaterialIn(material_id=m.pk, upload=pdf(f"{m.pk}.pdf", text=str(m.pk)))
        for m in materials(item)
        if m.required
    ]
    kwargs = {
        "item": item,
        "applicant": person(),
        "form_data": {"shop_name": "小三面馆"},
        "at": now(),
        "idempotency_key": "partner-abc-1",
    }
    first = applications.submit_online(materials=given, citizen=citizen, **kwargs)
    for entry in given:
        entry.upload.seek(0)
    again = applications.submit_online(materials=given, citizen=citizen, **kwargs)
    assert again.pk == first.pk
    with pytest.raises(ActionNotAllowed):
        applications.submit_online(materials=given, citizen=other, **kwargs)
    assert Case.objects.count() == 1


def test_submit_online_requires_every_required_material_as_a_file(item):
    required = [m for m in materials(item) if m.required]
    with pytest.raises(applications.ValidationFailed) as refused:
        applications.submit_online(
            item=item,
            applicant=person(),
            form_data={"shop_name": "小三面馆"},
            materials=[applications.MaterialIn(material_id=required[0].pk, upload=pdf())],
            at=now(),
            idempotency_key="partner-abc-2",
            channel=Channel.PARTNER,
        )
    assert list(refused.value.fields) == [f"material.{required[1].pk}"]
    assert Case.objects.count() == 0


def test_it_shows_a_citizen_only_their_own_drafts_and_cases(client, web, item, citizen):
    draft = _start(web, item)
    _attach_required(web, item, draft)
    web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, action="submit", key=draft.idempotency_key),
    )
    case = Case.objects.get()

    web.logout()
    other = make_citizen("李四", "13700001111")
    login_citizen(web, other)
    for url in (
        reverse("my:draft", args=[draft.pk]),
        reverse("my:case", args=[case.number]),
        reverse("my:receipt", args=[case.number]),
        reverse("my:case", args=["TS-2026-NOPE-000001"]),
    ):
        assert web.get(url).status_code == 404, url
    assert web.post(reverse("my:supplement", args=[case.number])).status_code == 404
    assert web.post(reverse("my:draft_discard", args=[draft.pk])).status_code == 404
    listing = web.get(reverse("my:applications")).content.decode()
    assert case.number not in listing


def test_it_limits_open_drafts_per_citizen(web, item, settings):
    settings.TONGBAN_CITIZEN_MAX_DRAFTS = 1
    _start(web, item)
    immediate = Item.objects.get(code="620500-SCJG-FW-102")

    response = web.post(reverse("my:apply", args=[immediate.code]), form_post(immediate))

    assert response.status_code == 302
    assert ApplicationDraft.objects.count() == 1
    page = web.get(response["Location"]).content.decode()
    assert 'data-message="error"' in page
    with pytest.raises(ActionNotAllowed):
        applications.start_draft(
            citizen=ApplicationDraft.objects.get().citizen, item=immediate, at=now()
        )


def test_it_limits_submissions_per_citizen_and_day(web, item, settings):
    settings.TONGBAN_CITIZEN_MAX_APPLICATIONS_PER_DAY = 1
    for _round in range(2):
        web.post(reverse("my:apply", args=[item.code]), form_post(item))
        draft = ApplicationDraft.objects.open().get()
        _attach_required(web, item, draft)
        response = web.post(
            reverse("my:draft", args=[draft.pk]),
            form_post(item, action="submit", key=draft.idempotency_key),
        )
    assert Case.objects.count() == 1
    # The second stays a draft, with the reason shown.
    assert response.status_code == 302
    assert response["Location"] == reverse("my:draft", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.case is None
    page = web.get(response["Location"]).content.decode()
    assert 'data-message="error"' in page


def test_it_removes_and_replaces_a_material_file(web, item):
    first = materials(item)[0]
    draft = _start(web, item)
    post = form_post(item, key=draft.idempotency_key)
    post[f"material-{first.pk}"] = pdf("old.pdf", text="old")
    web.post(reverse("my:draft", args=[draft.pk]), post)
    post = form_post(item, key=draft.idempotency_key)
    post[f"material-{first.pk}"] = pdf("new.pdf", text="new")
    web.post(reverse("my:draft", args=[draft.pk]), post)
    assert list(DraftMaterial.objects.values_list("original_name", flat=True)) == ["new.pdf"]

    download = web.get(reverse("my:draft_file", args=[draft.pk, first.pk]))
    assert b"new" in b"".join(download.streaming_content)

    web.post(
        reverse("my:draft", args=[draft.pk]),
        form_post(item, action=f"remove-{first.pk}", key=draft.idempotency_key),
    )
    assert DraftMaterial.objects.count() == 0
    assert ApplicationDraft.objects.get().form_data["shop_name"] == "小三面馆"
