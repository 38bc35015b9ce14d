from django.urls import path

from chorus.casestudies import views

app_name = "casestudies"

urlpatterns = [
    path("", views.case_study_list, name="list"),
    path("published/", views.public_list, name="public_list"),
    path("published/<slug:slug>/<str:language>/", views.public_detail, name="public_detail"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.templates, name="template_edit"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/details/", views.details, name="details"),
    path("<slug:slug>/sections/add/", views.section_add, name="section_add"),
    path("<slug:slug>/sections/<slug:key>/", views.section_edit, name="section_edit"),
    path("<slug:slug>/sections/<slug:key>/comment/", views.comment_add, name="comment_add"),
    path(
        "<slug:slug>/comments/<int:comment>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
    path("<slug:slug>/quotes/", views.quotes, name="quotes"),
    path("<slug:slug>/quotes/insert/", views.quote_insert, name="quote_insert"),
    path("<slug:slug>/quotes/translate/", views.quote_translate, name="quote_translate"),
    path("<slug:slug>/quotes/approve/", views.quote_approve, name="quote_approve"),
    path("<slug:slug>/status/<str:step>/", views.transition, name="transition"),
    path("<slug:slug>/assignments/", views.assignment_add, name="assignment_add"),
    path("<slug:slug>/export/<str:language>.<str:fmt>", views.export, name="export"),
]
