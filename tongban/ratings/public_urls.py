from django.urls import path

from . import views

app_name = "ratings_public"

urlpatterns = [
    # Before "<case_number>/": a case number is never "figures".
    path("figures/", views.figures, name="figures"),
    path("<str:case_number>/", views.rate, name="rate"),
]
