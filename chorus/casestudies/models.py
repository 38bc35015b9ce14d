"""Case studies assembled from a study's evidence: sections per language, review, publication.

Section text is Markdown with living elements (`{{ quote 12 }}`, `{{ figure interviews }}`,
`{{ include background }}`) resolved when the document is rendered, so quotes follow the
speaker's consent and figures follow the data. See `elements.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.core.fields import EncryptedTextField


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class TranslationStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    MACHINE = "machine", _("Machine-suggested")
    TRANSLATED = "translated", _("Translated")
    REVIEWED = "reviewed", _("Reviewed")


class Template(models.Model):
    """A document structure: the sections a new case study starts with."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # [{"key": "introduction", "titles": {"en": "Introduction", "zh-hans": "引言", ...},
    #   "hint": "What the case study is about"}, ...]
    sections = models.JSONField(_("sections"), default=list)

    class Meta:
        ordering = ["name"]
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self) -> str:
        return self.name


class CaseStudy(models.Model):
    study = models.ForeignKey(
        "evidence.Study", on_delete=models.PROTECT, related_name="case_studies"
    )
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    # The title and summary in other languages: {"en": {"title": ..., "summary": ...}}.
    translations = models.JSONField(
        _("title and summary in other languages"), default=dict, blank=True
    )
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    dated = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("main language"), max_length=16)
    template = models.ForeignKey(
        Template, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Set when a consent behind a published quote is withdrawn: the published text must change.
    withdrawal_flag = models.TextField(_("withdrawal notice"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        return (self.translations.get(language) or {}).get("title") or self.title

    def summary_in(self, language: str) -> str:
        return (self.translations.get(language) or {}).get("summary") or self.summary


class Section(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case_study", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "key"], name="unique_section_key")
        ]

    def __str__(self) -> str:
        return self.key


class SectionText(models.Model):
    """A section in one language, with its translation status."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("translation status"),
        max_length=16,
        choices=TranslationStatus.choices,
        default=TranslationStatus.TRANSLATED,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section", "language"]
        constraints = [
            models.UniqueConstraint(fields=["section", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.section_id}/{self.language}"


class Revision(models.Model):
    """A saved state of a section text: the history of who changed what, when."""

    text = models.ForeignKey(SectionText, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=TranslationStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.text_id}@{self.created_at:%Y-%m-%d %H:%M}"


class QuoteTranslation(models.Model):
    """A coded segment in another language, for quotes in documents of that language."""

    coding = models.ForeignKey(
        "evidence.Coding", on_delete=models.CASCADE, related_name="quote_translations"
    )
    language = models.CharField(_("language"), max_length=16)
    # A translated transcript passage is as confidential as the transcript until published.
    text = EncryptedTextField(_("translation"), data_class="confidential")
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coding", "language"], name="one_quote_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coding_id}/{self.language}"


class QuoteApproval(models.Model):
    """A speaker's approval of a quote, where their consent requires it."""

    coding = models.OneToOneField(
        "evidence.Coding", on_delete=models.CASCADE, related_name="quote_approval"
    )
    approved_on = models.DateField(_("approved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.coding_id}: {self.approved_on}"


class PublishedQuote(models.Model):
    """A quote that went out in a published case study, so a later withdrawal can find it."""

    case_study = models.ForeignKey(
        CaseStudy, on_delete=models.CASCADE, related_name="published_quotes"
    )
    coding = models.ForeignKey(
        "evidence.Coding", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    participant = models.ForeignKey(
        "evidence.Participant", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case_study_id}:{self.coding_id}"


class PublishedCopy(models.Model):
    """The page as published in one language, frozen at publication and served to the public.

    Public readers get this copy, never a fresh rendering: reading it reads no secret and writes
    nothing, and what the public sees is exactly what the lead approved.
    """

    case_study = models.ForeignKey(
        CaseStudy, on_delete=models.CASCADE, related_name="published_copies"
    )
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=300)
    html = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "language"], name="one_published_copy_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_study_id}/{self.language}"


class AssignmentRole(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    TRANSLATOR = "translator", _("Translator")


class Assignment(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_study_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    language = models.CharField(_("language"), max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "user", "role", "language"], name="unique_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.language}"


class Comment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    language = models.CharField(max_length=16, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "created_at"]

    def __str__(self) -> str:
        return self.text[:40]
