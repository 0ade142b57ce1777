"""Office pages of the documents app, mounted at ``/office/documents/``."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "cases/<str:number>/notices/<slug:kind>/<slug:fmt>/",
        views.print_notice,
        name="notice",
    ),
]
