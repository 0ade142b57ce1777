from django.urls import path

from . import public_views

app_name = "bulletin_public"

urlpatterns = [
    path("", public_views.news_list, name="list"),
    path("<int:pk>/", public_views.news_detail, name="detail"),
    path("<int:pk>/files/<int:attachment_id>/", public_views.news_attachment, name="attachment"),
]
