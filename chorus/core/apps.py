from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chorus.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from chorus.core import crypto, signals  # noqa: F401  (signals connects the audit receivers)

        # Fail at start-up, with a clear message, rather than at the first encrypted read.
        crypto.check_keys()
