"""Office pages of electronic supervision, mounted at ``/office/supervision/``."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cards/", views.cards, name="cards"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("urgings/", views.urgings, name="urgings"),
    path("alerts/", views.alerts, name="alerts"),
    path("realtime/", views.realtime, name="realtime"),
    path("query/", views.query, name="query"),
]
