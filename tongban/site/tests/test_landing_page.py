import pytest


@pytest.mark.browser
def test_it_shows_the_landing_page_in_chinese_with_links(page):
    page.goto("/")
    assert "通办" in page.title()
    page.get_by_role("link", name="办公大厅").first.click()
    assert "/accounts/login/" in page.url


def test_it_links_the_office_to_what_the_user_may_use(client, personas):
    from tongban.accounts.testing import log_in

    log_in(client, personas.department_head)
    page = client.get("/office/").content.decode()
    assert "/office/catalog/items/" in page
    assert "/office/catalog/staff/" in page
    log_in(client, personas.handler)
    page = client.get("/office/").content.decode()
    assert "/office/catalog/items/" in page
    assert "/office/catalog/staff/" not in page


PERSONAS = [
    "window_clerk",
    "handler",
    "section_head",
    "department_head",
    "supervisor",
    "system_admin",
    "security_admin",
    "audit_admin",
    "outsider",
]


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("landing", ["/", "/office/"])
def test_every_link_of_the_landing_page_opens(client, personas, who, landing):
    """No tile or menu entry leads to a refusal: each link answers 200, at once or
    after its redirects."""
    from tongban.accounts.testing import log_in

    from .pages import local_links

    log_in(client, getattr(personas, who))
    response = client.get(landing)
    assert response.status_code == 200
    links = sorted(set(local_links(response)))
    assert links
    for link in links:
        if link.startswith("/static/"):
            continue
        followed = client.get(link, follow=True)
        assert followed.status_code == 200, (who, link, followed.redirect_chain)


def test_system_management_is_offered_only_to_those_it_opens_for(client, personas):
    from tongban.accounts.testing import log_in

    assert "/admin/" not in client.get("/").content.decode()  # anonymous
    log_in(client, personas.handler)
    assert "/admin/" not in client.get("/").content.decode()
    log_in(client, personas.system_admin)
    assert "/admin/" in client.get("/").content.decode()
    assert "/admin/" in client.get("/office/").content.decode()
