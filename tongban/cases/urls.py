"""Office pages of the case engine, mounted at ``/office/cases/``."""

from django.urls import path

from . import views
from .policy import Action

app_name = "cases"


def _on(action: Action) -> str:
    return f"<str:number>/{action}/"


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
    # The actions of the case page: its forms post to ``<number>/<action>/``, named
    # ``cases:<action>`` after the action of the table (``policy.Action``).
    path(_on(Action.ACCEPT), views.accept, name=Action.ACCEPT),
    path(_on(Action.REJECT), views.reject, name=Action.REJECT),
    path(_on(Action.REQUEST_SUPPLEMENT), views.request_supplement, name=Action.REQUEST_SUPPLEMENT),
    path(_on(Action.SUPPLEMENT), views.supplement, name=Action.SUPPLEMENT),
    path(_on(Action.SUPPLY_PLEDGED), views.supply_pledged, name=Action.SUPPLY_PLEDGED),
    path(_on(Action.HANDLE_IMMEDIATELY), views.handle_immediately, name=Action.HANDLE_IMMEDIATELY),
    path(_on(Action.CLAIM), views.claim, name=Action.CLAIM),
    path(_on(Action.ADVANCE), views.advance, name=Action.ADVANCE),
    path(_on(Action.COMPLETE), views.complete, name=Action.COMPLETE),
    path(_on(Action.SUSPEND), views.suspend, name=Action.SUSPEND),
    path(_on(Action.RESUME), views.resume, name=Action.RESUME),
    path(_on(Action.REQUEST_EXTENSION), views.request_extension, name=Action.REQUEST_EXTENSION),
    path(_on(Action.DECIDE_EXTENSION), views.decide_extension, name=Action.DECIDE_EXTENSION),
    path(_on(Action.WITHDRAW), views.withdraw, name=Action.WITHDRAW),
    path(_on(Action.TERMINATE), views.terminate, name=Action.TERMINATE),
    path(_on(Action.ASSIGN), views.assign, name=Action.ASSIGN),
    path(_on(Action.URGE), views.urge, name=Action.URGE),
    path("<str:number>/reveal/", views.reveal, name="reveal"),
]
