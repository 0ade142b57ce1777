"""Office pages of the case engine, mounted at ``/office/cases/``."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/<int:item_id>/", views.intake_form, name="intake_form"),
    path("query/", views.query, name="query"),
    path("opinions/", views.opinions, name="opinions"),
    path("opinions/<int:pk>/", views.opinion_edit, name="opinion_edit"),
    path("opinions/<int:pk>/delete/", views.opinion_delete, name="opinion_delete"),
    path("panels/<slug:panel>/", views.panel_list, name="panel"),
    path("<str:number>/", views.case_detail, name="detail"),
    path(
        "<str:number>/materials/<int:material_id>/",
        views.material_download,
        name="material",
    ),
    # The actions of the case page (its forms post to the action's own name).
    path("<str:number>/accept/", views.accept, name="accept"),
    path("<str:number>/reject/", views.reject, name="reject"),
    path("<str:number>/request_supplement/", views.request_supplement, name="request_supplement"),
    path("<str:number>/supplement/", views.supplement, name="supplement"),
    path("<str:number>/supply_pledged/", views.supply_pledged, name="supply_pledged"),
    path("<str:number>/handle_immediately/", views.handle_immediately, name="handle_immediately"),
    path("<str:number>/claim/", views.claim, name="claim"),
    path("<str:number>/advance/", views.advance, name="advance"),
    path("<str:number>/complete/", views.complete, name="complete"),
    path("<str:number>/suspend/", views.suspend, name="suspend"),
    path("<str:number>/resume/", views.resume, name="resume"),
    path("<str:number>/request_extension/", views.request_extension, name="request_extension"),
    path("<str:number>/decide_extension/", views.decide_extension, name="decide_extension"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/terminate/", views.terminate, name="terminate"),
    path("<str:number>/assign/", views.assign, name="assign"),
    path("<str:number>/urge/", views.urge, name="urge"),
    path("<str:number>/reveal/", views.reveal, name="reveal"),
]
