from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from .api import api

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("tongban.core.urls")),
    path("accounts/", include("tongban.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]
