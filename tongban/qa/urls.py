from django.urls import path

from . import views

app_name = "qa"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/publish/<str:state>/", views.publish, name="publish"),
    path("<int:pk>/end/<str:outcome>/", views.end, name="end"),
]
