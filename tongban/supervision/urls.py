"""Office pages of electronic supervision, mounted at ``/office/supervision/``: the
pages over every kind of clocked item, then each kind's own (``ClockedKind.urls``)."""

from django.urls import path

from . import clocked, views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cards/", views.cards, name="cards"),
    path("cards/<int:pk>/", views.card_detail, name="card"),
    path("urgings/", views.urgings, name="urgings"),
    path("alerts/", views.alerts, name="alerts"),
    *(pattern for kind in clocked.kinds() for pattern in kind.urls()),
]
