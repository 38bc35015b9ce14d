from django.urls import path

from chorus.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.study_list, name="study_list"),
    path("<int:study>/", views.study_detail, name="study_detail"),
    path("<int:study>/edit/", views.study_edit, name="study_edit"),
    path("<int:study>/team/", views.member_set, name="member_set"),
    path("<int:study>/team/<int:user>/remove/", views.member_remove, name="member_remove"),
    path("<int:study>/sources/", views.source_list, name="source_list"),
    path("<int:study>/sources/import/", views.source_import, name="source_import"),
    path("<int:study>/sources/<int:source>/", views.source_detail, name="source_detail"),
    path("<int:study>/sources/<int:source>/edit/", views.source_edit, name="source_edit"),
    path("<int:study>/sources/<int:source>/delete/", views.source_delete, name="source_delete"),
    path(
        "<int:study>/sources/<int:source>/original/",
        views.source_original,
        name="source_original",
    ),
    path("<int:study>/codings/<int:coding>/edit/", views.coding_edit, name="coding_edit"),
    path("<int:study>/codings/<int:coding>/delete/", views.coding_delete, name="coding_delete"),
    path("<int:study>/memos/", views.memo_list, name="memo_list"),
    path("<int:study>/memos/<int:memo>/", views.memo_edit, name="memo_edit"),
    path("<int:study>/codes/", views.codebook, name="codebook"),
    path("<int:study>/codes.css", views.codes_css, name="codes_css"),
    path("<int:study>/codes/<int:code>/edit/", views.code_edit, name="code_edit"),
    path("<int:study>/codes/<int:code>/merge/", views.code_merge, name="code_merge"),
    path("<int:study>/codes/<int:code>/delete/", views.code_delete, name="code_delete"),
    path("<int:study>/codes/<int:code>/split/", views.code_split, name="code_split"),
    path("<int:study>/participants/", views.participant_list, name="participant_list"),
    path("<int:study>/participants/add/", views.participant_edit, name="participant_create"),
    path(
        "<int:study>/participants/<int:participant>/",
        views.participant_edit,
        name="participant_edit",
    ),
    path("<int:study>/participants/<int:participant>/consent/", views.consent, name="consent"),
    path("<int:study>/search/", views.study_search, name="search"),
]

urlpatterns += [
    path("<int:study>/codes/<int:code>/", views.code_detail, name="code_detail"),
    path("<int:study>/codes/<int:code>/segments.<str:fmt>", views.code_export, name="code_export"),
    path("<int:study>/codes/<int:code>/suggestions/", views.suggestions, name="suggestions"),
    path(
        "<int:study>/suggestions/<int:suggestion>/",
        views.suggestion_decide,
        name="suggestion_decide",
    ),
    path("<int:study>/analysis/", views.analysis_overview, name="analysis"),
    path("<int:study>/analysis/agreement/", views.agreement, name="agreement"),
    path("<int:study>/names/", views.pseudonyms, name="pseudonyms"),
    path("<int:study>/exchange/", views.exchange, name="exchange"),
    path("<int:study>/exchange/<str:kind>", views.exchange_export, name="exchange_export"),
]
urlpatterns += [
    path("<int:study>/codes/template/", views.codebook_template, name="codebook_template"),
]
