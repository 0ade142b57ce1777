import pytest


@pytest.mark.browser
def test_it_shows_the_landing_page_in_chinese_with_links(page):
    page.goto("/")
    assert "通办" in page.title()
    page.get_by_role("link", name="办公大厅").first.click()
    assert "/accounts/login/" in page.url


def test_it_links_the_office_to_what_the_user_may_use(client, personas):
    from tongban.core.testing import log_in

    log_in(client, personas.department_head)
    page = client.get("/office/").content.decode()
    assert "/office/catalog/items/" in page
    assert "/office/catalog/staff/" in page
    log_in(client, personas.handler)
    page = client.get("/office/").content.decode()
    assert "/office/catalog/items/" in page
    assert "/office/catalog/staff/" not in page
