"""Office pages of the case engine, mounted at ``/office/cases/``."""

from django.urls import path

from tongban.supervision import diagram_views

from . import views

app_name = "cases"

ACTIONS = (
    "accept",
    "reject",
    "request_supplement",
    "supplement",
    "supply_pledged",
    "handle_immediately",
    "claim",
    "advance",
    "complete",
    "suspend",
    "resume",
    "request_extension",
    "decide_extension",
    "withdraw",
    "terminate",
    "assign",
    "urge",
)

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
    *[path(f"<str:number>/{action}/", getattr(views, action), name=action) for action in ACTIONS],
    path("<str:number>/reveal/", views.reveal, name="reveal"),
    path("<str:number>/diagram/", diagram_views.diagram, name="diagram"),
]
