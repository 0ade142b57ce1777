"""An entry that other records refer to (with PROTECT) cannot be deleted.

No app refers to the dictionaries yet, so the test makes a referring table of its own
for the duration (hence a transactional test: SQLite cannot change its schema inside
the test's transaction)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from tongban.accounts.testing import make_personas
from tongban.audit.models import AuditRecord
from tongban.core.errors import ActionNotAllowed
from tongban.dictionaries import services
from tongban.dictionaries.models import ItemType


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_delete_an_item_type_in_use():
    class ServiceItem(models.Model):
        item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT)

        class Meta:
            app_label = "dictionaries"
            verbose_name_plural = "服务事项"

        def __str__(self) -> str:
            return f"服务事项 {self.pk}"

    with connection.schema_editor() as editor:
        editor.create_model(ServiceItem)
    try:
        personas = make_personas()
        used = services.create_item_type(
            actor=personas.system_admin, name="被引用的类型", at=timezone.now()
        )
        ServiceItem.objects.create(item_type=used)

        with pytest.raises(ActionNotAllowed) as caught:
            services.delete_item_type(
                actor=personas.system_admin, item_type=used, at=timezone.now()
            )

        assert "被引用的类型" in str(caught.value.message)
        assert "服务事项" in str(caught.value.message)
        assert "停用" in str(caught.value.message)
        assert ItemType.objects.filter(pk=used.pk).exists()
        assert not AuditRecord.objects.filter(action="dictionary.delete").exists()
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(ServiceItem)
        del apps.all_models["dictionaries"]["serviceitem"]
        apps.clear_cache()
