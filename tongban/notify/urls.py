from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("sms/status/", views.sms_status, name="sms_status"),
]
