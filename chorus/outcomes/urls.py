from django.urls import path

from chorus.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.outcome_list, name="outcome_list"),
    path("new/", views.outcome_edit, name="outcome_create"),
    path("<int:pk>/", views.outcome_detail, name="outcome_detail"),
    path("<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/import/", views.recommendation_import, name="recommendation_import"),
    path("recommendations/review/", views.review_queue, name="review_queue"),
    path("recommendations/trends/", views.trends, name="trends"),
    path("recommendations/trends.svg", views.trends_chart, name="trends_chart"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("countries/<str:code>/", views.country, name="country"),
]
