from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += i18n_patterns(
    path("", include("chorus.dashboard.urls")),
    path("", include("chorus.core.urls")),
    path("registry/", include("chorus.network.urls")),
    path("engagements/", include("chorus.engagement.urls")),
    path("allies/", include("chorus.stakeholders.urls")),
    path("outcomes/", include("chorus.outcomes.urls")),
    path("evidence/", include("chorus.evidence.urls")),
    path("case-studies/", include("chorus.casestudies.urls")),
    prefix_default_language=True,
)

handler400 = "chorus.core.views.error_400"
handler403 = "chorus.core.views.error_403"
handler404 = "chorus.core.views.error_404"
handler500 = "chorus.core.views.error_500"
