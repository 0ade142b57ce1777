"""The citizen's own pages, mounted at ``/portal/my/`` (namespace ``my``)."""

from django.urls import path

from . import my_views

app_name = "my"

urlpatterns = [
    path("", my_views.applications_list, name="applications"),
    path("apply/<str:code>/", my_views.apply, name="apply"),
    path("drafts/<int:pk>/", my_views.draft, name="draft"),
    path("drafts/<int:pk>/discard/", my_views.draft_discard, name="draft_discard"),
    path("drafts/<int:pk>/materials/<int:material_id>/", my_views.draft_file, name="draft_file"),
    path("cases/<str:number>/", my_views.case_detail, name="case"),
    path("cases/<str:number>/receipt/", my_views.receipt, name="receipt"),
    path("cases/<str:number>/supplement/", my_views.supplement, name="supplement"),
]
