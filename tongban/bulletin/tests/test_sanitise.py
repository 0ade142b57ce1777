"""Rich text: what a publisher writes is stored and shown without script."""

from __future__ import annotations

from tongban.accounts.testing import log_in
from tongban.bulletin.sanitise import sanitise_html


def test_it_removes_script_event_handlers_and_javascript_links(publish):
    announcement = publish(
        body=(
            '<p onclick="steal()">会议<script>alert(1)</script></p>'
            '<img src="x" onerror="alert(1)">'
            '<a href="javascript:alert(1)">点我</a>'
            '<p style="color:red">红字</p><iframe src="https://evil.example"></iframe>'
        )
    )
    announcement.refresh_from_db()
    body = announcement.body
    assert "<script" not in body and "alert(1)" not in body
    assert "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body
    assert "style=" not in body and "<iframe" not in body
    assert "会议" in body and "红字" in body


def test_it_keeps_the_allowed_markup():
    html = (
        "<h2>标题</h2><p><strong>粗</strong><em>斜</em><u>下划</u><br></p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引用</blockquote>"
        '<table><thead><tr><th scope="col">列</th></tr></thead><tbody><tr><td colspan="2">值</td>'
        "</tr></tbody></table>"
        '<a href="https://www.gov.cn/">政府网</a><a href="mailto:office@example.cn">邮件</a>'
        '<img src="/office/bulletin/3/files/4/" alt="图">'
    )
    clean = sanitise_html(html)
    for kept in (
        "<h2>",
        "<strong>",
        "<em>",
        "<u>",
        "<ul>",
        "<ol>",
        "<blockquote>",
        '<th scope="col">',
        '<td colspan="2">',
        'href="https://www.gov.cn/"',
        'href="mailto:office@example.cn"',
        'src="/office/bulletin/3/files/4/"',
    ):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


def test_it_drops_images_from_other_hosts_and_data_urls():
    clean = sanitise_html(
        '<img src="https://tracker.example/p.gif"><img src="//evil.example/x.png">'
        '<img src="data:image/png;base64,AAAA"><img src="/office/bulletin/../admin/">'
    )
    assert "src=" not in clean


def test_it_keeps_no_image_of_ours_but_an_attachment():
    # Any other address of ours would be requested by every reader's browser: an
    # image pointing at the directory's Excel export would export it for each reader.
    clean = sanitise_html(
        '<img src="/office/bulletin/directory/?format=xlsx"><img src="/office/mail/">'
        '<img src="/portal/news/7/files/9/">'
    )
    assert clean.count("src=") == 1
    assert 'src="/portal/news/7/files/9/"' in clean


def test_it_never_shows_script_even_if_a_row_was_written_past_the_services(
    client, personas, publish
):
    announcement = publish(title="旧数据")
    type(announcement).objects.filter(pk=announcement.pk).update(
        body='<p>正文</p><script>alert("x")</script><img src=x onerror=alert(2)>'
    )
    log_in(client, personas.handler)
    response = client.get(f"/office/bulletin/{announcement.pk}/")
    assert response.status_code == 200
    assert b'alert("x")' not in response.content
    assert b"onerror" not in response.content
