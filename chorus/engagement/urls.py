from django.urls import path

from chorus.engagement import views

app_name = "engagement"

urlpatterns = [
    path("", views.engagement_list, name="engagement_list"),
    path("new/", views.engagement_edit, name="engagement_create"),
    path("<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("platforms/", views.platform_list, name="platform_list"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform_detail"),
    path("coalitions/", views.coalition_list, name="coalition_list"),
    path("coalitions/<int:pk>/", views.coalition_detail, name="coalition_detail"),
]
