from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseStudiesConfig(AppConfig):
    name = "chorus.casestudies"
    verbose_name = _("Case studies")

    def ready(self):
        from chorus.casestudies import signals  # noqa: F401  (connects the consent receivers)
