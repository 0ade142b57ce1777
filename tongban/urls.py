from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from .api import api

urlpatterns = [
    path("", include("tongban.site.urls")),
    path("accounts/", include("tongban.accounts.urls")),
    path("office/catalog/", include("tongban.catalog.urls")),
    path("office/cases/", include("tongban.cases.urls")),
    path("office/supervision/", include("tongban.supervision.urls")),
    path("office/reports/", include("tongban.reports.urls")),
    path("office/documents/", include("tongban.documents.urls")),
    path("office/catalog/transfer/", include("tongban.catalog.excel_urls")),
    path("office/bulletin/", include("tongban.bulletin.urls")),
    path("office/mail/", include("tongban.mail.urls")),
    path("office/qa/", include("tongban.qa.urls")),
    path("office/ratings/", include("tongban.ratings.urls")),
    path("portal/news/", include("tongban.bulletin.public_urls")),
    path("portal/qa/", include("tongban.qa.public_urls")),
    path("portal/ratings/", include("tongban.ratings.public_urls")),
    path("portal/account/", include("tongban.citizens.urls")),
    # Its own top-level namespace "my" (a namespace inside "portal" would be "portal:my").
    path("portal/my/", include("tongban.portal.my_urls")),
    path("portal/", include("tongban.portal.urls")),
    path("notify/", include("tongban.notify.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

# The error pages of every page outside the API (site/errors.py).
handler400 = "tongban.site.errors.bad_request"
handler403 = "tongban.site.errors.permission_denied"
handler404 = "tongban.site.errors.page_not_found"
handler500 = "tongban.site.errors.server_error"
