"""Qualitative evidence: studies, their sources and participants, consent, codebook and codings.

Transcripts, memos and original files are confidential and stored encrypted; participants' real
names and contacts are secret. The search index keeps keyed hashes of words, never the words, so
a copy of the database reveals no transcript text (see `search.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.core.fields import EncryptedBinaryField, EncryptedTextField
from chorus.core.models import Region


class StudyRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CODER = "coder", _("Coder")
    READER = "reader", _("Reader")


class Study(models.Model):
    """A piece of research: its question, its languages, its team, sources and codebook."""

    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("research question"), blank=True)
    # Language codes as in settings.LANGUAGES; the first is the study's main language.
    languages = models.JSONField(_("languages"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return self.title

    @property
    def main_language(self) -> str:
        return self.languages[0] if self.languages else "en"


class StudyMember(models.Model):
    """A person on a study's team; a researcher sees only the studies they are on."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=StudyRole.choices)

    class Meta:
        ordering = ["study", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="one_membership_per_study")
        ]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Participant(models.Model):
    """A person who took part: always known by a pseudonym; the real name is secret."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(_("pseudonym"), max_length=120)
    real_name = EncryptedTextField(_("real name"), data_class="secret")
    contact = EncryptedTextField(_("contact details"), data_class="secret")
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("member organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Organisations outside the registry (allies, UN agencies) are named in free text.
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    role_title = models.CharField(_("role or title"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    # Further attributes for comparisons (e.g. {"gender": "trans woman", "age group": "30-39"}).
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        ordering = ["study", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["study", "pseudonym"], name="unique_pseudonym")
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_name


class QuoteMode(models.TextChoices):
    NAMED = "named", _("Named, with role and organisation")
    ORGANISATION = "organisation", _("Organisation only")
    ANONYMOUS = "anonymous", _("Anonymous")
    NOT_QUOTED = "not_quoted", _("Not to be quoted")


class Consent(models.Model):
    """What a participant agreed to for this study; every later use of a quote obeys it."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="consent"
    )
    recorded = models.BooleanField(_("consented to recording"), default=False)
    quote_mode = models.CharField(
        _("may be quoted"), max_length=16, choices=QuoteMode.choices, default=QuoteMode.NOT_QUOTED
    )
    approval_required = models.BooleanField(_("must approve quotes"), default=True)
    given_on = models.DateField(_("date of consent"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    notes = EncryptedTextField(_("notes on the consent form"), data_class="secret")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.participant}: {self.quote_mode}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @property
    def allows_quotes(self) -> bool:
        return not self.is_withdrawn and self.quote_mode != QuoteMode.NOT_QUOTED


class SourceKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    DOCUMENT = "document", _("Document")
    CONSULTATION = "consultation", _("Consultation answer")


class InterviewMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    WRITTEN = "written", _("Written")


class Source(models.Model):
    """An interview transcript, a document or a consultation answer, as normalised text.

    Offsets everywhere (codings, cues, search) count Unicode codepoints in `text`, which is
    normalised to NFC once at import and never changed afterwards, so offsets stay stable.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=16)
    held_on = models.DateField(_("date"), null=True, blank=True)
    interviewer = models.CharField(_("interviewer"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=InterviewMode.choices, blank=True)
    participants = models.ManyToManyField(
        Participant, verbose_name=_("participants"), related_name="sources", blank=True
    )
    text = EncryptedTextField(_("text"), data_class="confidential")
    length = models.PositiveIntegerField(_("length in characters"), default=0)
    file_format = models.CharField(_("file format"), max_length=8, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


class OriginalFile(models.Model):
    """The file a source was imported from, kept encrypted so the import can be checked later."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="original")
    # File names often carry the interviewee's name: stored encrypted like the file.
    name = EncryptedTextField(_("file name"), data_class="confidential")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content = EncryptedBinaryField(data_class="confidential")

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")

    def __str__(self) -> str:
        return self.name


class Cue(models.Model):
    """A timed utterance in a transcript imported from WebVTT or SubRip."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="cues")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    start_ms = models.PositiveBigIntegerField()
    end_ms = models.PositiveBigIntegerField()
    # A transcript names its speakers: encrypted like the transcript itself.
    speaker = EncryptedTextField(data_class="confidential")

    class Meta:
        ordering = ["source", "start"]

    def __str__(self) -> str:
        return f"{self.source_id}@{self.start_ms}"


class Code(models.Model):
    """A code of the study's codebook; codes form a tree."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    # Names in the study's other languages: {"zh-hans": "...", "fr": "..."}.
    translations = models.JSONField(_("names in other languages"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#1f77b4")
    position = models.PositiveIntegerField(default=0)
    # The code's identifier in an exchanged REFI-QDA project, kept for round trips.
    guid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["study", "position", "name"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.translations.get(language) or self.name


class Coding(models.Model):
    """A segment of a source to which a coder applied a code."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "start", "end"]
        indexes = [
            models.Index(fields=["code", "source", "start"], name="coding_by_code"),
            models.Index(fields=["source", "start"], name="coding_by_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="coding_span"
            )
        ]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")

    def __str__(self) -> str:
        return f"{self.code_id}:{self.source_id}[{self.start}:{self.end}]"


class Memo(models.Model):
    """A researcher's note on a study, a source, a code or a coded segment."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memos")
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    code = models.ForeignKey(
        Code, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    coding = models.ForeignKey(
        Coding, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = EncryptedTextField(_("text"), data_class="confidential")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study", "-updated_at"]
        verbose_name = _("memo")
        verbose_name_plural = _("memos")

    def __str__(self) -> str:
        return self.title or str(self.pk)


class PseudonymKind(models.TextChoices):
    PERSON = "person", _("Person")
    PLACE = "place", _("Place")
    ORGANISATION = "organisation", _("Organisation")


class Pseudonym(models.Model):
    """A name that must not leave the study, and what replaces it in pseudonymised output."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="pseudonyms")
    kind = models.CharField(_("kind"), max_length=16, choices=PseudonymKind.choices)
    real = EncryptedTextField(_("real name"), data_class="secret")
    replacement = models.CharField(_("replacement"), max_length=200)

    class Meta:
        ordering = ["study", "kind", "replacement"]
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")

    def __str__(self) -> str:
        return self.replacement


class SearchParagraph(models.Model):
    """One paragraph of a source as the search index sees it: where it is, and its words hashed.

    `terms` holds the keyed hash of every word of the paragraph (see search.py), written in hash
    order, not text order, and repeated as often as the word occurs: the database learns which
    hashed words a paragraph has and how often, never their order. A full-text engine indexes
    this column (an FTS5 table on SQLite, a GIN index of a generated `tsvector` on PostgreSQL,
    both made by migration 0002), so adding a source appends rows instead of inserting thousands
    of keys at random places in a B-tree.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    paragraph_start = models.PositiveIntegerField()
    paragraph_end = models.PositiveIntegerField()
    terms = models.TextField()

    def __str__(self) -> str:
        return f"{self.source_id}@{self.paragraph_start}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Suggestion(models.Model):
    """A passage that resembles a code's examples, waiting for a person to accept or reject."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    score = models.FloatField()
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    model_name = models.CharField(max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-score"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"{self.code_id}:{self.source_id}[{self.start}:{self.end}]"
