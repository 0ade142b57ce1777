from django.urls import include, path

from tongban.documents import views as documents_views

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("guide/", views.guide, name="guide"),
    path("progress/", include("tongban.portal.progress_urls")),
    path("notices/verify/", documents_views.verify_notice, name="notice_verify"),
    # Before "<code>/": a code is never "basis" followed by more path segments.
    path("guide/basis/<int:basis_id>/document/", views.basis_document, name="basis_document"),
    path("guide/<str:code>/", views.guide_item, name="guide_item"),
    path("guide/<str:code>/print/", views.guide_print, name="guide_print"),
    path(
        "guide/<str:code>/materials/<int:material_id>/blank/",
        views.material_blank,
        name="material_blank",
    ),
    path(
        "guide/<str:code>/materials/<int:material_id>/example/",
        views.material_example,
        name="material_example",
    ),
]
