"""Resolve a case study in one language: sections, quotes by consent, figures, and problems.

The result (`RenderedDocument`) feeds every output: the page, HTML, PDF, DOCX and Markdown. It
also carries the problems that block approval and publication (the gate) — a quote whose
speaker did not consent to it is withheld from the text itself, so even a draft cannot print it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from chorus.casestudies import elements, figures
from chorus.casestudies.models import CaseStudy, QuoteApproval, QuoteTranslation, TranslationStatus
from chorus.core.audit import record_access
from chorus.evidence import access as evidence_access
from chorus.evidence import queries as evidence_queries
from chorus.evidence.models import Coding, Participant, QuoteMode, StudyRole
from chorus.evidence.pseudonymise import find_names

PLACEHOLDER = "@@chorus-quote-%d@@"
PLACEHOLDER_PATTERN = re.compile(r"<p>@@chorus-quote-(\d+)@@</p>")
ALLOWED_TAGS = {
    "p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
    "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "sup", "sub", "section",
    "figure", "figcaption", "span", "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "id", "class"},
    "li": {"id", "class"},
    "sup": {"class", "id"},
    "section": {"class"},
    "hr": {"class"},
    "figure": {"class", "lang"},
    "blockquote": {"lang"},
    "figcaption": {"class"},
    "span": {"class", "lang"},
    "th": {"style"},
    "td": {"style"},
}
# Words the network's glossary marks as harmful where "sex worker" is meant, per language.
HARMFUL_TERMS = {
    "en": [r"\bprostitutes?\b"],
    "fr": [r"\bprostitu[ée]e?s?\b"],
    "es": [r"\bprostitutas?\b"],
    "ru": [r"\bпроститут\w*"],
    "zh-hans": ["妓女", "娼妓"],
}


@dataclass
class Problem:
    """Something that blocks approval and publication, with where to fix it."""

    kind: str
    message: str
    section: str = ""
    language: str = ""
    element: str = ""
    fix_url: str = ""


@dataclass
class Quote:
    coding_id: int
    text: str
    language: str
    original_text: str
    original_language: str
    translated: bool
    attribution: str
    participant_id: int | None


@dataclass
class RenderedSection:
    key: str
    title: str
    language: str
    requested_language: str
    status: str
    markdown: str  # elements resolved; quotes as placeholders (see `quotes`)
    html: SafeString
    quotes: dict[str, Quote] = field(default_factory=dict)

    @property
    def is_fallback(self) -> bool:
        return self.language != self.requested_language


@dataclass
class RenderedDocument:
    case_study: CaseStudy
    language: str
    title: str
    summary: str
    authors: str
    dated: object
    sections: list[RenderedSection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.problems)

    @property
    def quotes(self) -> list[Quote]:
        return [quote for section in self.sections for quote in section.quotes.values()]


def markdown_renderer() -> MarkdownIt:
    """CommonMark with tables and footnotes; raw HTML is never passed through."""
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .enable("table")
        .use(footnote_plugin)
    )


def escape_markdown(text: str) -> str:
    """Make figure text literal in Markdown."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-!|~])", r"\\\1", text)


class _Context:
    """What one rendering needs: the reader, the document, and caches of texts and names."""

    def __init__(self, user, case_study: CaseStudy, language: str, *, public: bool = False):
        self.user = user
        # Published figures are counted as the public may see them (unlisted members left out,
        # small cells hidden), whoever publishes.
        self.figures_user = AnonymousUser() if public else user
        self.case_study = case_study
        self.language = language
        self.texts: dict[int, str] = {}
        self.names: dict[int, tuple[list[str], dict[int, str]]] = {}
        self.secret_read = False
        self.quote_counter = 0
        self.current_quotes: dict[str, Quote] = {}
        # Real names of named speakers are for leads (and the system, which publishes).
        self.may_see_names = user is None or (
            evidence_access.role_in(user, case_study.study) == StudyRole.LEAD
        )

    def private_names(self, study_id: int) -> tuple[list[str], dict[int, str]]:
        """The study's name list and its participants' real names, read once per rendering."""
        if study_id not in self.names:
            self.names[study_id] = evidence_queries.private_names(study_id)
        return self.names[study_id]

    def source_text(self, coding: Coding) -> str:
        if coding.source_id not in self.texts:
            self.texts[coding.source_id] = coding.source.text
        return self.texts[coding.source_id]


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except Exception:
        return ""


def _speaker(coding: Coding) -> Participant | None:
    """Who speaks in a coded segment: the source's only participant, or the cue's speaker."""
    people = list(coding.source.participants.select_related("consent", "organisation"))
    if len(people) == 1:
        return people[0]
    cue = coding.source.cues.filter(start__lte=coding.start, end__gt=coding.start).first()
    if cue is not None and cue.speaker:
        for person in people:
            if person.pseudonym.casefold() == cue.speaker.casefold():
                return person
    return None


def attribution(
    participant: Participant, mode: str, language: str, *, reveal_name: bool = True
) -> str:
    """Write the attribution of a quote in the document's language, as consent allows.

    Before publication only leads see real names: for others a named speaker shows as their
    pseudonym, marked as named at publication.
    """
    with override(language):
        if mode == QuoteMode.NAMED:
            name = participant.real_name.strip()
            if not reveal_name:
                name = _("%(pseudonym)s (named at publication)") % {
                    "pseudonym": participant.pseudonym
                }
            parts = [name, participant.role_title.strip()]
            parts.append(participant.organisation_label.strip())
            return ", ".join(part for part in parts if part)
        if mode == QuoteMode.ORGANISATION:
            return _("a representative of %(organisation)s") % {
                "organisation": participant.organisation_label or _("a member organisation")
            }
        description = participant.attributes.get("description") or _("a participant")
        region = participant.get_region_display() if participant.region else ""
        return ", ".join(part for part in (description, str(region)) if part)


def _resolve_quote(context: _Context, element, section_key: str, problems: list[Problem]):
    """Return the quote's placeholder Markdown, or a withheld notice with a problem recorded."""

    def withheld(kind: str, message: str, fix_url: str = "") -> str:
        problems.append(
            Problem(
                kind=kind,
                message=message,
                section=section_key,
                language=context.language,
                element=element.raw,
                fix_url=fix_url,
            )
        )
        return (
            "\n\n*"
            + escape_markdown(_("[quote withheld: %(reason)s]") % {"reason": message})
            + "*\n\n"
        )

    if not element.target.isdigit():
        return withheld("unresolved", _("A quote names a coded segment by its number."))
    coding = evidence_queries.quoted_segment(int(element.target))
    if coding is None:
        return withheld("unresolved", _("The quoted segment no longer exists."))
    if evidence_access.role_in(context.user, coding.source.study) is None:
        return withheld("not_visible", _("The quote comes from a study you cannot see."))
    if coding.source.study_id != context.case_study.study_id:
        # Consent was given for one study; it does not follow a quote into another.
        return withheld("other_study", _("The quote comes from another study than this one."))
    coding_url = _url("evidence:coding_edit", coding.source.study_id, coding.pk)
    speaker = _speaker(coding)
    if speaker is None:
        return withheld(
            "no_speaker",
            _("Who speaks in this segment is not known: link the source to its participant."),
            _url("evidence:source_edit", coding.source.study_id, coding.source_id),
        )
    consent_url = _url("evidence:consent", coding.source.study_id, speaker.pk)
    consent = getattr(speaker, "consent", None)
    if consent is None:
        return withheld("no_consent", _("No consent is recorded for the speaker."), consent_url)
    if consent.is_withdrawn:
        return withheld("withdrawn", _("The speaker withdrew their consent."), consent_url)
    if consent.quote_mode == QuoteMode.NOT_QUOTED:
        return withheld("not_quotable", _("The speaker did not agree to be quoted."), consent_url)
    mode = element.options.get("as", consent.quote_mode)
    if mode not in elements.REVEALING:
        return withheld(
            "unresolved", _("“as=” takes anonymous, organisation or named."), coding_url
        )
    if elements.REVEALING.index(mode) > elements.REVEALING.index(consent.quote_mode):
        return withheld(
            "attribution",
            _("The speaker did not consent to this attribution."),
            consent_url,
        )
    if consent.approval_required and not QuoteApproval.objects.filter(coding=coding).exists():
        return withheld("approval", _("The speaker must approve this quote first."), consent_url)
    original = context.source_text(coding)[coding.start : coding.end].strip()
    translation = None
    if coding.source.language != context.language:
        translation = QuoteTranslation.objects.filter(
            coding=coding, language=context.language
        ).first()
    shown = translation.text if translation else original
    if not context.secret_read:
        # Attributions and the real-name check read secret identities: log it once per render.
        with transaction.atomic():
            record_access(
                actor=context.user,
                obj=context.case_study,
                data_class="secret",
                purpose="case study quotes",
            )
        context.secret_read = True
    # Names that must not appear: the study's name list and the other participants' real
    # names always; the speaker's own name unless they agreed to be named.
    listed, real_names = context.private_names(coding.source.study_id)
    names = [*listed, *(name for pk, name in real_names.items() if pk != speaker.pk)]
    if mode != QuoteMode.NAMED:
        names.append(speaker.real_name)
    names = [name for name in names if name and name.strip()]
    if find_names(shown, names) or find_names(original, names):
        return withheld(
            "real_name",
            _("A real name appears in the quote that its speaker or the name list keeps private."),
            coding_url,
        )
    organisation = speaker.organisation
    if (
        mode != QuoteMode.ANONYMOUS
        and organisation is not None
        and not organisation.publicly_listed
    ):
        return withheld(
            "unlisted",
            _("The speaker's organisation is not publicly listed: quote them anonymously."),
            consent_url,
        )
    context.quote_counter += 1
    key = PLACEHOLDER % context.quote_counter
    context.current_quotes[key] = Quote(
        coding_id=coding.pk,
        text=shown,
        language=context.language if translation else coding.source.language,
        original_text=original,
        original_language=coding.source.language,
        translated=translation is not None,
        attribution=attribution(speaker, mode, context.language, reveal_name=context.may_see_names),
        participant_id=speaker.pk,
    )
    return f"\n\n{key}\n\n"


def _resolve_figure(context: _Context, element, section_key: str, problems: list[Problem]):
    function = figures.FIGURES.get(element.target)
    if function is None:
        problems.append(
            Problem(
                kind="unresolved",
                message=_("Unknown figure “%(name)s”. Known figures: %(names)s.")
                % {"name": element.target, "names": ", ".join(figures.FIGURES)},
                section=section_key,
                language=context.language,
                element=element.raw,
            )
        )
        return ""
    try:
        with override(context.language):
            figure = function(context, element.options)
    except figures.FigureError as error:
        problems.append(
            Problem(
                kind="unresolved",
                message=str(error),
                section=section_key,
                language=context.language,
                element=element.raw,
            )
        )
        return ""
    if figure.block:
        return "\n\n" + figure.markdown + "\n\n"
    return escape_markdown(figure.markdown)


def _resolve_text(
    context: _Context,
    body: str,
    section_key: str,
    bodies: dict[str, str],
    problems: list[Problem],
    trail: tuple[str, ...] = (),
) -> str:
    """Replace every element of `body`; includes are resolved recursively, cycles refused."""
    if len(body) > elements.MAX_SECTION_CHARACTERS:
        problems.append(
            Problem(
                kind="too_long",
                message=_("The section is longer than %(count)s characters; split it.")
                % {"count": elements.MAX_SECTION_CHARACTERS},
                section=section_key,
                language=context.language,
            )
        )
        return ""
    parsed = elements.parse(body)
    for error in parsed.errors:
        problems.append(
            Problem(
                kind="unresolved",
                message=error.message,
                section=section_key,
                language=context.language,
                element=error.raw,
            )
        )
    pieces = []
    position = 0
    for element in parsed.elements:
        pieces.append(body[position : element.start])
        position = element.end
        if element.kind == "quote":
            pieces.append(_resolve_quote(context, element, section_key, problems))
        elif element.kind == "figure":
            pieces.append(_resolve_figure(context, element, section_key, problems))
        elif element.target in trail or element.target == section_key:
            problems.append(
                Problem(
                    kind="unresolved",
                    message=_("The sections include each other in a circle: %(path)s.")
                    % {"path": " → ".join((*trail, section_key, element.target))},
                    section=section_key,
                    language=context.language,
                    element=element.raw,
                )
            )
        elif element.target not in bodies:
            problems.append(
                Problem(
                    kind="unresolved",
                    message=_("No section is called “%(key)s”.") % {"key": element.target},
                    section=section_key,
                    language=context.language,
                    element=element.raw,
                )
            )
        elif len(trail) >= elements.MAX_INCLUDE_DEPTH:
            problems.append(
                Problem(
                    kind="unresolved",
                    message=_("Includes are nested too deeply."),
                    section=section_key,
                    language=context.language,
                    element=element.raw,
                )
            )
        else:
            pieces.append(
                _resolve_text(
                    context,
                    bodies[element.target],
                    element.target,
                    bodies,
                    problems,
                    (*trail, section_key),
                )
            )
    pieces.append(body[position:])
    # Elements cannot hide in the result: `{` from resolved text is escaped or never produced.
    return "".join(pieces)


def _quote_html(quote: Quote, language: str) -> str:
    # A quote without a translation keeps its original language, and says so.
    note = ""
    if quote.language != language:
        with override(language):
            label = escape(_("Quoted in the original language."))
            note = f'<span class="original-language">{label}</span>'
    return (
        f'<figure class="pull-quote" lang="{escape(quote.language)}">'
        f"<blockquote>{escape(quote.text)}</blockquote>"
        f'<figcaption class="attribution">— {escape(quote.attribution)} {note}</figcaption>'
        "</figure>"
    )


def to_html(markdown: str, quotes: dict[str, Quote], language: str) -> SafeString:
    """Render resolved Markdown to sanitised HTML, with pull quotes set in."""
    html = markdown_renderer().render(markdown)

    def pull_quote(match: re.Match) -> str:
        quote = quotes.get(PLACEHOLDER % int(match.group(1)))
        return _quote_html(quote, language) if quote else ""

    html = PLACEHOLDER_PATTERN.sub(pull_quote, html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def glossary_warnings(text: str, language: str, section_key: str) -> list[Problem]:
    """Flag terms the glossary marks as harmful, in the authors' own words (not in quotes)."""
    authored = elements.ELEMENT.sub(" ", text)
    warnings = []
    for pattern in HARMFUL_TERMS.get(language, []):
        for match in re.finditer(pattern, authored, flags=re.IGNORECASE):
            warnings.append(
                Problem(
                    kind="glossary",
                    message=_("“%(term)s”: the glossary says “sex worker” (or its translation).")
                    % {"term": match.group(0)},
                    section=section_key,
                    language=language,
                )
            )
    return warnings


def render_document(
    user, case_study: CaseStudy, language: str, *, public: bool = False
) -> RenderedDocument:
    """Resolve the case study in `language`, falling back per section to the main language.

    `public` renders for publication: figures are counted within the public's reach.
    """
    context = _Context(user, case_study, language, public=public)
    document = RenderedDocument(
        case_study=case_study,
        language=language,
        title=case_study.title_in(language),
        summary=case_study.summary_in(language),
        authors=case_study.authors,
        dated=case_study.dated,
    )
    sections = list(case_study.sections.prefetch_related("texts").order_by("position"))
    chosen = {}
    for section in sections:
        texts = {text.language: text for text in section.texts.all()}
        best = texts.get(language)
        if best is None or best.status == TranslationStatus.MISSING or not best.body.strip():
            best = texts.get(case_study.language) or next(iter(texts.values()), None)
        chosen[section.key] = best
    bodies = {key: text.body for key, text in chosen.items() if text is not None}
    for section in sections:
        text = chosen[section.key]
        if text is None:
            continue
        context.current_quotes = {}
        markdown = _resolve_text(context, text.body, section.key, bodies, document.problems)
        document.warnings += glossary_warnings(text.body, text.language, section.key)
        document.sections.append(
            RenderedSection(
                key=section.key,
                title=text.title,
                language=text.language,
                requested_language=language,
                status=text.status,
                markdown=markdown,
                html=to_html(markdown, context.current_quotes, language),
                quotes=context.current_quotes,
            )
        )
    for problem in [*document.problems, *document.warnings]:
        if not problem.fix_url and problem.section:
            url = _url("casestudies:section_edit", case_study.slug, problem.section)
            problem.fix_url = f"{url}?lang={problem.language}" if url else ""
    return document
