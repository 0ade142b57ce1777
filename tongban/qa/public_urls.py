from django.urls import path

from . import views

app_name = "qa_public"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("ask/", views.ask, name="ask"),
    path("ask/done/", views.asked, name="asked"),
    path("<int:pk>/", views.public_detail, name="detail"),
]
