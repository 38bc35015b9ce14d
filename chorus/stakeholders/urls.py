from django.urls import path

from chorus.stakeholders import statement_views, views

app_name = "stakeholders"

urlpatterns = [
    path("", views.power_map, name="power_map"),
    path("power-map.svg", views.power_map_chart, name="power_map_chart"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path(
        "actors/organisation/<int:pk>/", views.organisation_timeline, name="organisation_timeline"
    ),
    path("actors/person/<int:pk>/", views.person_timeline, name="person_timeline"),
    path("observations/new/", views.observation_create, name="observation_create"),
    path("influence/new/", views.influence_create, name="influence_create"),
    path("backlash/<int:pk>/", views.backlash_checklist, name="backlash_checklist"),
    path("statements/", statement_views.statement_check, name="statement_check"),
    path("statements/lexicon/<str:language>/", statement_views.lexicon_edit, name="lexicon_edit"),
]
