import pytest


@pytest.mark.browser
def test_it_shows_the_landing_page_in_chinese_with_links(page):
    page.goto("/")
    assert "通办" in page.title()
    page.get_by_role("link", name="办公大厅").first.click()
    assert "/accounts/login/" in page.url
