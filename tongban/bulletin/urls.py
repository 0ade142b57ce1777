from django.urls import path

from . import views

app_name = "bulletin"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_create, name="create"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/edit/", views.announcement_edit, name="edit"),
    path("<int:pk>/withdraw/", views.announcement_withdraw, name="withdraw"),
    path("<int:pk>/receipts/", views.announcement_receipts, name="receipts"),
    path(
        "<int:pk>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("categories/", views.categories, name="categories"),
    path("categories/maintainers/", views.category_maintainers, name="category_maintainers"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
    path("directory/", views.directory, name="directory"),
    path("directory/new/", views.directory_entry_form, name="directory_create"),
    path("directory/<int:pk>/", views.directory_entry_form, name="directory_edit"),
    path("directory/<int:pk>/delete/", views.directory_entry_delete, name="directory_delete"),
]
