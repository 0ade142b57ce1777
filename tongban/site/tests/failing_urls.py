"""The site's addresses and error handlers, plus a page that fails (for the 500 test)."""

from django.urls import path

from tongban.urls import handler400, handler403, handler404, handler500, urlpatterns


def fails(request):
    raise RuntimeError("a fault in a page")


urlpatterns = [path("portal/fails/", fails), *urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
