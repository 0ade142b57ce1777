from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow_up"),
    path("follow-ups/<int:pk>/close/", views.close, name="close"),
    path("summary/", views.summary, name="summary"),
    path("summary/export/", views.summary_export, name="summary_export"),
]
