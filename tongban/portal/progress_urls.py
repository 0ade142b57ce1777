"""The progress query, mounted at ``/portal/progress/`` (namespace ``portal:progress``)."""

from django.conf import settings
from django.urls import path

from . import progress_views

app_name = "progress"

urlpatterns = [
    path("", progress_views.query, name="query"),
]

if settings.TONGBAN_BENCH_VIEWS:  # `python -m bench portal` only; off everywhere else
    urlpatterns.append(path("bench/<int:pk>/", progress_views.bench_case, name="bench_case"))
