"""Office pages of the catalogue (staff), mounted at ``/office/catalog/``."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/export/", views.item_export, name="items_export"),
    path("staff/", views.staff, name="staff"),
    path("staff/steps/<int:step_id>/", views.assign_step_staff, name="assign_staff"),
]
