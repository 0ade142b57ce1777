from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("", views.folder, name="inbox"),
    path("folder/<str:folder>/", views.folder, name="folder"),
    path("bulk/", views.bulk, name="bulk"),
    path("trash/empty/", views.empty_trash, name="empty_trash"),
    path("compose/", views.compose, name="compose"),
    path("<int:box_id>/", views.message, name="message"),
    path("<int:box_id>/<str:op>/", views.box_action, name="box_action"),
    path("<int:box_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("images/", views.upload_image, name="upload_image"),
    path("images/<uuid:image_id>/", views.image, name="image"),
    path("quotas/", views.quotas, name="quotas"),
    path("quotas/<int:user_id>/", views.set_quota, name="set_quota"),
]
