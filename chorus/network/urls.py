from django.urls import path

from chorus.network import import_views, statistics_views, views

app_name = "network"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/apply/", views.membership_application, name="membership_apply"),
    path("organisations/<int:pk>/positions/new/", views.position_create, name="position_create"),
    path("memberships/<int:pk>/", views.membership_detail, name="membership_detail"),
    path("applications/", views.application_queue, name="application_queue"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("import/", import_views.import_members, name="import_members"),
    path("export/", import_views.export_members, name="export_members"),
    path("statistics/", statistics_views.statistics, name="statistics"),
    path("statistics/<slug:chart>.svg", statistics_views.statistics_chart, name="statistics_chart"),
]
