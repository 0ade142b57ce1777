"""Office pages of the statistics, mounted at ``/office/reports/``."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.report, name="report"),
    path("<slug:key>/cases/", views.report_cases, name="cases"),
]
