"""Bad input on the bulletin pages gives a clear answer, never a server error."""

from __future__ import annotations

import pytest

from tongban.accounts.testing import log_in

pytestmark = pytest.mark.django_db


def test_a_subject_id_in_superscript_digits_asks_to_choose_a_user(client, personas):
    log_in(client, personas.security_admin)
    response = client.post(
        "/office/bulletin/categories/maintainers/", {"subject": "u:²", "allowed": "1"}
    )
    assert response.status_code == 422
    assert response.context["error"]
